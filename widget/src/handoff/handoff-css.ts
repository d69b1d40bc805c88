/** The handoff controls' styles (in the handoff chunk, added to the panel's shadow root once). */
export const HANDOFF_CSS = `
.ho{flex:none;display:flex;flex-direction:column;gap:6px;padding:0 12px}
.hs{font-size:12px;color:var(--mu);text-align:center}
.hb{align-self:center;padding:6px 14px;border:1px solid var(--c);border-radius:999px;background:var(--bg);color:var(--fg);font-size:13px;font-weight:600}
.m .hb{align-self:flex-start;margin-top:6px}
.hb:hover{background:var(--so)}
.he{display:flex;flex-wrap:wrap;gap:6px;font-size:13px;padding-bottom:6px}
.he p{width:100%}
.he input{flex:1;min-width:0;padding:6px 10px;border:1px solid var(--ln);border-radius:8px;background:var(--bg);color:var(--fg);font-size:16px}
.he input[aria-invalid=true]{border-color:var(--er)}
.he .err{width:100%}
.m.g{border:1px solid var(--c);white-space:pre-wrap}
.who{display:block;font-size:12px;font-weight:600;color:var(--mu)}
`;
