/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ApiError } from "../api/api-client.js";
import type { BailianAppTestResult } from "../api/types.js";
import { Field, controlProps } from "../components/field.js";
import { Notice } from "../components/states.js";
import { useStrings } from "../i18n/lang.js";
import type { Strings } from "../i18n/strings.js";
import { api } from "../state/session.js";
import { httpHref, knowledgeErrorText } from "./knowledge-text.js";

const appErrorText = (s: Strings, error: unknown) =>
  (error instanceof ApiError ? s.settings.appErrors[error.code] : undefined) ?? knowledgeErrorText(s, error);

/**
 * One question to the site's saved Bailian application, its answer (as text) and its sources.
 * Not a form of its own: it sits inside the settings form, so Enter asks here rather than saving.
 */
export function BailianAppTest({ siteId, savedAppId }: { siteId: string; savedAppId: string | null }) {
  const s = useStrings();
  const t = s.settings;
  const [question, setQuestion] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BailianAppTestResult | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const enabled = !!savedAppId && !busy;

  const ask = async () => {
    if (!enabled || !question.trim()) return;
    setBusy(true);
    setFailure(null);
    setResult(null);
    try {
      setResult(await api().testBailianApp(siteId, question.trim()));
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="app-test">
      <Field id="app-test-question" label={t.testQuestion} hint={savedAppId ? null : t.testNeedsSave}>
        <input
          {...controlProps("app-test-question", savedAppId ? null : t.testNeedsSave, null)}
          value={question}
          maxLength={1000}
          disabled={!savedAppId}
          onInput={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            void ask();
          }}
        />
      </Field>
      <div>
        <button type="button" class="button" onClick={() => void ask()} disabled={!enabled || !question.trim()}>
          {busy ? t.testing : t.testApp}
        </button>
      </div>
      <Notice text={failure ? appErrorText(s, failure) : null} kind="error" />
      {result && (
        <div class="app-test__result" aria-live="polite">
          <h3>{t.testAnswer}</h3>
          <p class="app-test__answer">{result.answer}</p>
          {result.sources.length > 0 && (
            <>
              <h3>{t.testSources}</h3>
              <ol>
                {result.sources.map((src) => {
                  const href = httpHref(src.url);
                  return (
                    <li key={src.n}>
                      {href ? (
                        <a href={href} target="_blank" rel="noopener noreferrer">
                          {src.title || src.url}
                        </a>
                      ) : (
                        src.title
                      )}
                    </li>
                  );
                })}
              </ol>
            </>
          )}
        </div>
      )}
    </div>
  );
}
