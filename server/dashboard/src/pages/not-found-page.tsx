/** @jsxImportSource preact */
import { Link } from "../components/link.js";
import { usePageTitle } from "../components/use-page-title.js";
import { useStrings } from "../i18n/lang.js";

export function NotFoundPage() {
  const s = useStrings();
  const heading = usePageTitle(s.notFoundTitle);
  return (
    <section class="page page--narrow">
      <h1 ref={heading} tabIndex={-1}>
        {s.notFoundTitle}
      </h1>
      <p>
        <Link to="/">{s.backToSites}</Link>
      </p>
    </section>
  );
}
