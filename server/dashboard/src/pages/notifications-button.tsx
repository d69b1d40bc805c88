/** @jsxImportSource preact */
import { useStrings } from "../i18n/lang.js";
import { askNotificationPermission, notificationPermission } from "../live/ring.js";

/** Asks for the browser's permission to notify, only when pressed (browsers refuse an ask on load, and it annoys). */
export function NotificationsButton() {
  const t = useStrings().live;
  const permission = notificationPermission.value;
  if (permission === "unsupported") return <p class="muted small inbox-sound">{t.soundHint}</p>;
  return (
    <div class="inbox-notify">
      {permission === "default" && (
        <button type="button" class="button" onClick={() => void askNotificationPermission()}>
          {t.enableNotifications}
        </button>
      )}
      {permission === "granted" && (
        <p class="muted small" role="status">
          {t.notificationsOn}
        </p>
      )}
      {permission === "denied" && <p class="muted small">{t.notificationsDenied}</p>}
      <p class="muted small inbox-sound">{t.soundHint}</p>
    </div>
  );
}
