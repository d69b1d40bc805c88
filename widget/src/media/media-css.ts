/** The media controls' styles (in the media chunk, added to the panel's shadow root once). */
export const MEDIA_CSS = `
.f{flex-wrap:wrap}
.mc{display:contents}
.mt,.mr{order:-1;flex-basis:100%;display:flex;gap:6px;flex-wrap:wrap;align-items:center}
.mt li{position:relative;width:56px;height:56px;border-radius:8px;overflow:hidden;border:1px solid var(--ln)}
.mt img{width:100%;height:100%;object-fit:cover}
.mt progress{position:absolute;left:4px;bottom:4px;width:46px;height:4px}
.mx{position:absolute;top:2px;right:2px;width:22px;height:22px;border-radius:50%;background:#000a;color:#fff}
.mx svg{width:14px;height:14px}
.mi{width:36px;height:40px;border-radius:10px;color:var(--mu);flex:none}
.mi:hover{background:var(--so)}
.mi[aria-pressed=true]{color:var(--er)}
.mv{touch-action:none;user-select:none;-webkit-user-select:none;-webkit-touch-callout:none}
.mr{font-size:13px;color:var(--mu);flex-wrap:nowrap}
.mr b{color:var(--er);font-variant-numeric:tabular-nums}
.ml{flex:1;height:6px;border-radius:3px;background:var(--so);overflow:hidden}
.ml i{display:block;height:100%;background:var(--c);transform-origin:left}
.mr button{width:28px;height:28px;border-radius:50%}
.ma{display:flex;flex-wrap:wrap;align-items:flex-end;gap:6px;margin-top:6px}
.ma a{display:block}
.ma img{display:block;max-width:100%;max-height:240px;border-radius:8px;background:var(--bg)}
.u .ma img{max-height:160px}
.mph{width:200px;max-width:100%;aspect-ratio:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:8px;border-radius:8px;border:1px dashed var(--mu);font-size:13px;color:var(--mu)}
.mph progress{width:60%}
.sp{width:28px;height:28px;border-radius:6px;opacity:.6}
.sp[aria-pressed=true]{opacity:1;background:#7f7f7f33}
.sp[aria-busy=true]{animation:bc-dot 1s infinite}
.p.drop{outline:3px dashed var(--c);outline-offset:-6px}
`;
