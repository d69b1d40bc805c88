// ali-oss ships no types for its signing helpers; only what files/ uses is declared.
declare module "ali-oss/lib/common/signUtils.js" {
  /** `<accessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request` (the scope alone without an id) */
  export function getCredential(date: string, region: string, accessKeyId?: string, product?: string): string;
}
