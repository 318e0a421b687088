// OpenTelemetry to Application Insights (the Azure Monitor distro), set up by hand:
// inside a single-file bundle require-hook instrumentations never fire, so they stay
// off; the app's own signals (signals.ts) and the invocation spans (functions/telemetry.ts)
// go through the OpenTelemetry API this registers. Built as its own file
// (dist/functions/telemetry.cjs) and loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING
// is set, so an app without telemetry does not pay for it at cold start.
import type { TokenCredential } from "@azure/core-auth";
import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";

export interface AzureMonitorSettings {
  connectionString: string;
  /** Entra auth to ingestion (Application Insights with local auth disabled). */
  credential?: TokenCredential;
}

export function startAzureMonitor(s: AzureMonitorSettings): { shutdown(): Promise<void> } {
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: s.connectionString, ...(s.credential ? { credential: s.credential } : {}) },
    enableLiveMetrics: false,
    instrumentationOptions: {
      azureSdk: { enabled: false },
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
  });
  return { shutdown: () => shutdownAzureMonitor() };
}
