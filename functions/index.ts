// Entry point the Functions host loads (package.json "main" points at its bundle).
import "./resourceEvents.js";
import "./queueEvents.js";
import "./queueContinuations.js";
import "./reconcile.js";
