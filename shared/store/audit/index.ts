// The audit trail: entries, their validation, and its two stores (memory, Azure Table).
export * from "./entries.js";
export * from "./validation.js";
export * from "./memoryAuditLog.js";
export * from "./tableAuditLog.js";
