/**
 * Why an owner's file could not be read. The codes are stable (the dashboard and the ingestion
 * job branch on them, and a source's stored failure keeps its code); the sentences are for the
 * owner, in both languages the product speaks, so the API and the dashboard show the same words.
 */
export const PARSE_ERROR_MESSAGES = {
  unsupported_type: {
    en: "This kind of file is not supported. Upload a PDF, Word (.docx), Markdown, plain text, HTML or CSV file.",
    "zh-CN": "不支持此文件类型。请上传 PDF、Word（.docx）、Markdown、纯文本、HTML 或 CSV 文件。",
  },
  type_mismatch: {
    en: "The file's content does not match its name or type (for example, an image renamed to .pdf).",
    "zh-CN": "文件内容与文件名或类型不符（例如把图片改名为 .pdf）。",
  },
  encrypted_pdf: {
    en: "This PDF is password-protected. Remove the password and upload it again.",
    "zh-CN": "此 PDF 受密码保护。请移除密码后重新上传。",
  },
  corrupt_file: {
    en: "The file is damaged or incomplete and could not be read. Save or export it again and retry.",
    "zh-CN": "文件已损坏或不完整，无法读取。请重新保存或导出后再试。",
  },
  too_large_uncompressed: {
    en: "The file expands to too much data when unpacked. Split it into smaller documents.",
    "zh-CN": "文件解压后的数据量过大。请拆分为较小的文档。",
  },
  too_large: {
    en: "The document has too much content (too many pages, rows or characters). Split it into smaller documents.",
    "zh-CN": "文档内容过多（页数、行数或字数超出限制）。请拆分为较小的文档。",
  },
  not_text: {
    en: "The file is not readable text. Check that it is saved as UTF-8 text.",
    "zh-CN": "文件不是可读的文本。请确认文件以 UTF-8 文本格式保存。",
  },
  empty_document: {
    en: "No text was found in the document. A scanned PDF (images only) has no text to read.",
    "zh-CN": "文档中未找到文字。扫描版 PDF（只有图片）没有可读取的文字。",
  },
} as const satisfies Record<string, { en: string; "zh-CN": string }>;

export type KnowledgeParseErrorCode = keyof typeof PARSE_ERROR_MESSAGES;

export function parseErrorMessage(code: KnowledgeParseErrorCode, language: "zh-CN" | "en" = "en"): string {
  return PARSE_ERROR_MESSAGES[code][language];
}

export class KnowledgeParseError extends Error {
  override readonly name = "KnowledgeParseError";
  constructor(
    readonly code: KnowledgeParseErrorCode,
    options?: { cause?: unknown },
  ) {
    super(PARSE_ERROR_MESSAGES[code].en, options);
  }
}
