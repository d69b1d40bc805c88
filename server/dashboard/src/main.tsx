/** @jsxImportSource preact */
import "./styles/app.css";
import { mountDashboard } from "./app.js";

mountDashboard(document.getElementById("app")!);
