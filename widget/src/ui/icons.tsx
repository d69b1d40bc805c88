/** @jsxImportSource preact */
/** Decorative icons: every button that shows one has its own accessible name. */
const Svg = ({ d }: { d: string }) => (
  <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
    <path d={d} />
  </svg>
);

export const CloseIcon = () => <Svg d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z" />;
export const NewIcon = () => <Svg d="M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z" />;
export const SendIcon = () => <Svg d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />;
export const StopIcon = () => <Svg d="M7 7h10v10H7z" />;
