/** @jsxImportSource preact */
import { Field, controlProps } from "../components/field.js";
import { useStrings } from "../i18n/lang.js";
import {
  type MediaField,
  type MediaSettings,
  type MediaToggle,
  VISION_MODELS,
  VOICES,
  type VisionModel,
  type Voice,
  mediaControlId,
} from "../validation/media-form.js";

interface MediaFieldsProps {
  draft: MediaSettings;
  /** the server's sentence for `media.<field>`, if it refused one */
  errorOf(key: string): string | null;
  change(next: MediaSettings, key: MediaField): void;
}

/**
 * Bot settings → Pictures and voice: what visitors may send and hear, and whether the bot draws.
 * Each toggle says what it does and what it costs, since every one of them spends the site's quota.
 */
export function MediaFields({ draft, errorOf, change }: MediaFieldsProps) {
  const t = useStrings().media;
  const set = <K extends MediaField>(key: K, value: MediaSettings[K]) => change({ ...draft, [key]: value }, key);

  const toggle = (key: MediaToggle, label: string, hint: string, disabledBecause?: string | null) => {
    const id = mediaControlId(key);
    const error = errorOf(`media.${key}`);
    const describedBy = [error ? `${id}-error` : "", `${id}-hint`, disabledBecause ? `${id}-off` : ""].filter(Boolean).join(" ");
    return (
      <div class={`check${error ? " field--invalid" : ""}`}>
        <input
          id={id}
          type="checkbox"
          checked={draft[key]}
          disabled={Boolean(disabledBecause)}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy}
          onChange={(e) => set(key, e.currentTarget.checked)}
        />
        <label for={id}>{label}</label>
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
        {disabledBecause && (
          <p class="field__hint" id={`${id}-off`}>
            {disabledBecause}
          </p>
        )}
        {error && (
          <p class="field__error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  };

  const select = <K extends "visionModel" | "voice">(key: K, label: string, hint: string, options: ReadonlyArray<[string, string]>) => {
    const id = mediaControlId(key);
    const error = errorOf(`media.${key}`);
    return (
      <Field id={id} label={label} hint={hint} error={error}>
        <select {...controlProps(id, hint, error)} value={draft[key]} onChange={(e) => set(key, e.currentTarget.value as MediaSettings[K])}>
          {options.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      </Field>
    );
  };

  return (
    <fieldset class="card fieldset media-fields">
      <legend>{t.title}</legend>
      <p class="muted small">{t.intro}</p>
      {toggle("imageInput", t.imageInput, t.imageInputHint)}
      {select(
        "visionModel",
        t.visionModel,
        t.visionModelHint,
        VISION_MODELS.map((m: VisionModel) => [m, t.visionModels[m]]),
      )}
      {toggle("voiceInput", t.voiceInput, t.voiceInputHint)}
      {/* Only meaningful with voice messages on: kept (and shown) as set, but not changeable without them. */}
      {toggle("voiceSendAtOnce", t.voiceSendAtOnce, t.voiceSendAtOnceHint, draft.voiceInput ? null : t.voiceSendAtOnceOff)}
      {toggle("readAloud", t.readAloud, t.readAloudHint)}
      {select(
        "voice",
        t.voice,
        t.voiceHint,
        VOICES.map((v: Voice) => [v, t.voices[v]]),
      )}
      {toggle("imageGeneration", t.imageGeneration, t.imageGenerationHint)}
    </fieldset>
  );
}
