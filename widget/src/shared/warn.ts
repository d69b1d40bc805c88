/** Told to the site owner in the console: the API refused this page's origin for the site. */
export function warnOriginRefused(siteKey: string): void {
  console.warn(`[Bailian Chat] ${location.origin} is not an allowed domain of site ${siteKey}: add it in the dashboard.`);
}
