import "./preview.css";
import { startPreview } from "./preview-page.js";

startPreview();
