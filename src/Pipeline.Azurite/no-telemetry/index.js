// Azurite requires its telemetry client as it loads and calls it only when telemetry is enabled; the pipeline
// always starts Azurite with --disableTelemetry. Any use is a mistake to be told, never a silent no-op.
const notInstalled = () => {
  throw new Error(
    "Azurite's telemetry client is not installed here (package.json overrides it): start Azurite with --disableTelemetry"
  );
};
module.exports = { setup: notInstalled, start: notInstalled, TelemetryClient: notInstalled };
