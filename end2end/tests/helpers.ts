import { expect, type Browser, type FrameLocator, type Page } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const AGENT1 = { email: "agent1@callcenter.com", name: "Alice Martin" };
export const AGENT2 = { email: "agent2@callcenter.com", name: "Bob Chen" };
export const PASSWORD = "Password123!";

/** A shop page with the widget, in a fresh browser context; the widget is opened. */
export async function openWidget(
  browser: Browser,
  baseURL: string,
  path = "/widget-demo",
): Promise<{ page: Page; widget: FrameLocator }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(path);
  const widget = page.frameLocator('iframe[title="Chat"]');
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Open chat" }).click();
  await expect(widget.getByRole("textbox", { name: "Message" })).toBeVisible();
  return { page, widget };
}

/** Sends a message from the widget with Enter, as a visitor would. */
export async function visitorSays(widget: FrameLocator, text: string) {
  const box = widget.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
}

/** The dashboard, signed in, in a fresh browser context, with the socket live. */
export async function signIn(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto("/");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  return page;
}

/** The inbox row of the conversation whose last message is `text`. */
export function inboxRow(page: Page, text: string) {
  return page.getByRole("complementary", { name: "Inbox" }).getByRole("button").filter({ hasText: text });
}

/** The conversation view's message list on the dashboard. */
export function agentMessages(page: Page) {
  return page.getByRole("region", { name: "Conversation view" }).getByRole("list", { name: "Conversation" });
}

export function widgetMessages(widget: FrameLocator) {
  return widget.getByRole("list", { name: "Conversation" });
}

/** A port nobody listens on now (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

/** A server of our own, for tests that stop and start it: one port and one database. */
export class OwnServer {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), "switchboard-e2e-own-"));
  port = 0;

  /** `extra`: more flags for `switchboard serve`. */
  constructor(private readonly extra: string[] = []) {}

  get baseURL() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    const binary = resolve(process.env.SWITCHBOARD_BIN || "../target/release/switchboard");
    this.child = spawn(
      binary,
      ["serve", "--demo", "--addr", `127.0.0.1:${this.port}`, "--database-url", `sqlite://${this.dir}/own.db`, ...this.extra],
      { cwd: resolve(".."), stdio: ["ignore", "ignore", "inherit"] },
    );
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const response = await fetch(`${this.baseURL}/readyz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the server did not become ready");
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await exited;
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The dashboard's inbox row of the conversation the widget on `shop` holds (its session id
 *  is in the widget's localStorage). */
export async function rowOfVisitor(agent: Page, shop: Page) {
  const frame = shop.frames().find((f) => f.url().includes("/widget/"));
  if (!frame) throw new Error("no widget frame on the page");
  // The widget stores its conversation once the server started it: wait for that.
  let sessionId: string | undefined;
  await expect
    .poll(async () => {
      const stored = await frame.evaluate(() => localStorage.getItem("switchboard.demo.session"));
      sessionId = (JSON.parse(stored ?? "{}") as { sessionId?: string }).sessionId;
      return sessionId;
    }, { message: "the widget has a conversation" })
    .toBeTruthy();
  return agent.locator(`.inbox__row[data-session-id="${sessionId}"]`);
}
