type Language = "zh-CN" | "en";

/** Why a drawing did not come, as the image event's `code` (docs/media.md). */
export type DrawingErrorCode = "image_limit" | "image_generation_failed" | "image_generation_timeout";

const FAILURES: Record<DrawingErrorCode, Record<Language, string>> = {
  image_limit: {
    en: "I can't draw more pictures this month: this assistant has used its monthly allowance of pictures.",
    "zh-CN": "本月的绘图次数已用完，暂时无法为你画图。",
  },
  image_generation_failed: {
    en: "Sorry, the picture could not be drawn. Please try describing it in another way.",
    "zh-CN": "抱歉，图片没有生成成功，请换个描述再试试。",
  },
  image_generation_timeout: {
    en: "Sorry, drawing the picture took too long. Please try again.",
    "zh-CN": "抱歉，图片生成超时，请重试。",
  },
};

/** The answer's words when the model wrote none and only drew. */
const DRAWN: Record<Language, string> = {
  en: "Here is the picture I drew for you.",
  "zh-CN": "这是为你画的图片。",
};

export const drawingErrorMessage = (code: DrawingErrorCode, language: Language): string => FAILURES[code][language];

/** What the answer says when the model wrote nothing: the picture is there, or why it is not. */
export const drawnSentence = (failure: DrawingErrorCode | null, language: Language): string =>
  failure ? FAILURES[failure][language] : DRAWN[language];
