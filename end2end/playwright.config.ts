import { defineConfig } from "@playwright/test";
import { execSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Debian's chromium, never a browser downloaded by Playwright (this machine cannot fetch one).
const chromium = process.env.CHROMIUM_PATH || execSync("command -v chromium").toString().trim();
const port = Number(process.env.E2E_PORT || 3111);
// One throwaway database folder per run: the config is evaluated again in each worker, which
// inherits the folder through the environment; the main process removes it at the end.
if (!process.env.SWITCHBOARD_E2E_DATA) {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-e2e-"));
  process.env.SWITCHBOARD_E2E_DATA = dir;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
}
const dataDir = process.env.SWITCHBOARD_E2E_DATA;

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // The release build, from the repository root, on a throwaway database.
  webServer: {
    command: `${process.env.SWITCHBOARD_BIN || "target/release/switchboard"} serve --demo --addr 127.0.0.1:${port} --database-url sqlite://${dataDir}/e2e.db`,
    cwd: "..",
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
