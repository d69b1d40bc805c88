/**
 * The panel's styles, inside the shadow root. Page CSS cannot select into it; what a page could
 * still pass down (inherited font, colour, direction) is cut at the host by the loader's
 * `:host { all: initial }`, and everything below is set explicitly in px (never rem: the page
 * owns the root font size). Theme: --c (owner colour) and --o (text on it) from the loader.
 */
export const PANEL_CSS = `
.w{height:100%;--vvh:initial;--vvt:initial;--bg:#fff;--fg:#1f2328;--mu:#59636e;--ln:#d1d9e0;--so:#f2f4f7;--er:#b42318;--erb:#fef3f2}
@media (prefers-color-scheme:dark){.w{--bg:#1c1d21;--fg:#e8e9ed;--mu:#a4a8b3;--ln:#3a3d45;--so:#2a2c33;--er:#fda29b;--erb:#3a1d1b}}
.p,.p *{box-sizing:border-box;margin:0;padding:0;border:0;font:inherit;color:inherit;background:none;text-align:left;min-width:0;list-style:none}
.p{position:fixed;z-index:2147483647;bottom:88px;right:20px;width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--ln);border-radius:16px;box-shadow:0 12px 40px #0003;overflow:hidden;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;animation:bc-in .18s ease-out;direction:ltr}
.left .p{right:auto;left:20px}
.p[hidden]{display:none}
.fill{height:100%}
.p.inline{position:relative;inset:auto;z-index:auto;width:100%;max-width:none;height:100%;min-height:360px;max-height:none;box-shadow:none;animation:none}
@media (max-width:479.98px){.p:not(.inline){top:var(--vvt,0);left:0;right:0;bottom:auto;width:100%;max-width:none;height:100vh;height:var(--vvh,100dvh);max-height:none;border:0;border-radius:0}}
@keyframes bc-in{from{opacity:0;transform:translateY(8px)}}
.head{display:flex;align-items:center;gap:10px;padding:12px 12px 12px 16px;background:var(--c);color:var(--o);flex:none}
.av{width:32px;height:32px;border-radius:50%;object-fit:cover;flex:none}
.title{flex:1;font-size:16px;font-weight:600;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
button{cursor:pointer;display:inline-flex;align-items:center;justify-content:center}
button:disabled{cursor:default;opacity:.45}
svg{fill:currentColor;flex:none}
.icon{width:36px;height:36px;border-radius:8px;color:inherit}
.icon:hover{background:#7f7f7f33}
:focus-visible{outline:2px solid var(--fg);outline-offset:2px}
.head :focus-visible{outline-color:var(--o)}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px;display:flex;flex-direction:column;gap:10px}
.m{max-width:85%;padding:8px 12px;border-radius:14px;overflow-wrap:anywhere;white-space:normal}
.m.u{align-self:flex-end;background:var(--c);color:var(--o);white-space:pre-wrap;border-bottom-right-radius:4px}
.m.a{align-self:flex-start;background:var(--so);border-bottom-left-radius:4px}
.m p,.m ul,.m ol,.m pre,.m blockquote,.m hr{margin:0 0 8px}
.m>:last-child,.m li>:last-child{margin-bottom:0}
.m ul,.m ol{padding-left:20px}
.m ul>li{list-style:disc}
.m ol>li{list-style:decimal}
.m ul ul>li{list-style:circle}
.m strong{font-weight:600}
.m em{font-style:italic}
.m a{color:inherit;text-decoration:underline;cursor:pointer}
.m code{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#7f7f7f29;padding:1px 4px;border-radius:4px}
.m pre{background:#0d1117;color:#e6edf3;padding:10px 12px;border-radius:8px;overflow-x:auto}
.m pre code{background:none;padding:0;white-space:pre;display:block}
.m blockquote{border-left:3px solid var(--ln);padding-left:10px;color:var(--mu)}
.m hr{border-top:1px solid var(--ln)}
.cite{font-size:11px;line-height:0;vertical-align:super;margin:0 1px}
.cite a,.cite button{display:inline;padding:0 3px;border-radius:4px;background:#7f7f7f33;color:inherit;text-decoration:none;font-weight:600;cursor:pointer}
.cite button{line-height:1.3}
.cite a:hover,.cite button:hover{background:#7f7f7f59}
.src{margin-top:8px;padding-top:6px;border-top:1px solid var(--ln);font-size:12px}
.srh{color:var(--mu);font-weight:600;margin-bottom:2px}
.src li{display:flex;gap:6px;padding:1px 0;border-radius:4px}
.sn{color:var(--mu);flex:none;min-width:12px}
.note{font-size:12px;color:var(--mu);margin-top:4px}
.fb{display:flex;flex-wrap:wrap;gap:4px;margin-top:6px}
.fb>button{padding:0 6px;border-radius:6px;opacity:.6}
.fb>button[aria-pressed=true]{opacity:1;background:#7f7f7f33}
.fb form{display:flex;gap:6px;width:100%}
.fb input{flex:1;padding:4px 8px;border:1px solid var(--ln);border-radius:8px;background:var(--bg);font-size:13px}
.center{align-self:center}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.typing{display:inline-flex;gap:4px;padding:4px 0}
.typing i{display:block;width:6px;height:6px;border-radius:50%;background:var(--mu);animation:bc-dot 1s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}
.typing i:nth-child(3){animation-delay:.3s}
@keyframes bc-dot{0%,80%,100%{opacity:.3}40%{opacity:1}}
.err{align-self:stretch;display:flex;align-items:center;gap:10px;padding:8px 12px;border-radius:10px;background:var(--erb);color:var(--er);font-size:13px}
.err span{flex:1}
.retry{padding:4px 12px;border:1px solid currentColor;border-radius:999px;color:inherit;font-size:13px;font-weight:600;flex:none}
.sug{display:flex;flex-wrap:wrap;gap:8px;margin-top:4px}
.sug button{padding:6px 12px;border:1px solid var(--c);border-radius:999px;color:var(--fg);background:var(--bg);font-size:13px;text-align:left}
.sug button:hover{background:var(--so)}
.f{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--ln);flex:none;background:var(--bg)}
.f textarea{flex:1;display:block;resize:none;min-height:40px;max-height:120px;padding:8px 12px;border:1px solid var(--ln);border-radius:10px;background:var(--bg);color:var(--fg);font-size:16px;line-height:22px;overflow-y:auto;field-sizing:content;white-space:pre-wrap}
.f textarea::placeholder{color:var(--mu);opacity:1}
.f textarea:focus{border-color:var(--c)}
.send{width:40px;height:40px;border-radius:10px;background:var(--c);color:var(--o);flex:none}
.stop{background:var(--fg);color:var(--bg)}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}
`;
