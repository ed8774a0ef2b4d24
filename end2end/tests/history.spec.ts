// A visitor's conversations over time: one an agent closed, a new one after it, the list of the
// earlier ones (and opening one of them), a transcript, a reload; and a shop's signed-in customer
// (identity verification) who finds their conversations on another device, where a wrong hash
// finds none.
import { expect, test, type Browser, type FrameLocator, type Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { AGENT1, PASSWORD, openWidget, visitorSays, widgetMessages } from "./helpers";

/** What the widget on `shop` keeps of its current conversation (its localStorage). */
async function storedSession(shop: Page): Promise<{ sessionId?: string; userId?: string }> {
  const frame = shop.frames().find((f) => f.url().includes("/widget/"));
  if (!frame) throw new Error("no widget frame on the page");
  const stored = await frame.evaluate(() => localStorage.getItem("switchboard.demo.session"));
  return JSON.parse(stored ?? "{}");
}

/** The id of the conversation the widget holds, once the server started it. */
async function sessionIdOf(shop: Page): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => (id = (await storedSession(shop)).sessionId), { message: "the widget has a conversation" })
    .toBeTruthy();
  return id!;
}

/** Closes a conversation as Alice would, through the REST API. */
async function closeAsAgent(baseURL: string, sessionId: string) {
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: AGENT1.email, password: PASSWORD }),
  });
  expect(login.ok).toBeTruthy();
  const { token } = (await login.json()) as { token: string };
  const closed = await fetch(`${baseURL}/api/v1/chat/sessions/${sessionId}/close`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(closed.status).toBe(200);
}

/** Waits until the assistant has answered the last message (nothing streams any more). */
async function answered(widget: FrameLocator) {
  const messages = widgetMessages(widget);
  await expect(messages.locator(".msg--ai").first()).toBeVisible();
  await expect(messages.locator(".msg--streaming")).toHaveCount(0);
}

/** The list "Your conversations" opens (the start screen's short list has the same name, but
 *  is hidden while the list is shown). */
function conversationsList(widget: FrameLocator) {
  return widget.getByRole("region", { name: "Your conversations" });
}

function conversationsButton(widget: FrameLocator) {
  return widget.getByRole("banner").getByRole("button", { name: "Your conversations", exact: true });
}

test("a visitor starts again after a closed conversation, and finds the earlier one in their list, also after a reload", async ({
  browser,
  baseURL,
}) => {
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  const messages = widgetMessages(widget);
  const first = `Where is my parcel? (${Date.now()})`;
  await visitorSays(widget, first);
  await expect(messages.locator(".msg--customer", { hasText: first })).toHaveCount(1);
  await answered(widget);
  const firstId = await sessionIdOf(shop);

  // The team closes it: the widget says so, and offers a fresh start.
  await closeAsAgent(baseURL!, firstId);
  await expect(widget.getByText("This conversation has ended.")).toBeVisible();
  await widget.getByRole("button", { name: "Start a new conversation" }).click();
  await expect(widget.getByText("This conversation has ended.")).toHaveCount(0);
  await expect(messages.locator(".msg--customer")).toHaveCount(0);
  await expect(messages.locator(".msg--intro")).toBeVisible();
  await expect(widget.getByRole("textbox", { name: "Message" })).toBeFocused();
  // The start screen shows the visitor's earlier conversation.
  const recent = conversationsList(widget);
  await expect(recent.getByRole("listitem")).toHaveCount(1);
  await expect(recent.getByRole("listitem")).toContainText("Ended");

  // A second conversation, for the same visitor.
  const second = `Do you ship to Belgium? (${Date.now()})`;
  await visitorSays(widget, second);
  await expect(messages.locator(".msg--customer", { hasText: second })).toHaveCount(1);
  await expect(messages.getByText(first)).toHaveCount(0);
  await answered(widget);
  await expect.poll(async () => (await storedSession(shop)).sessionId).not.toBe(firstId);
  await expect(widget.getByRole("region", { name: "Your conversations" })).toHaveCount(0);

  // Its transcript, from the widget's menu.
  const more = widget.getByRole("button", { name: "More options" });
  await more.click();
  const menu = widget.getByRole("menu", { name: "More options" });
  await expect(menu.getByRole("menuitem", { name: "Download transcript" })).toBeFocused();
  const download = shop.waitForEvent("download");
  await menu.getByRole("menuitem", { name: "Download transcript" }).click();
  const transcript = await download;
  expect(transcript.suggestedFilename()).toMatch(/\.txt$/);
  expect(readFileSync((await transcript.path())!, "utf8")).toContain(second);

  // The menu by keyboard: the arrows move, Escape closes it and the focus is back on its button.
  await more.click();
  await expect(menu.getByRole("menuitem", { name: "Download transcript" })).toBeFocused();
  await shop.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Your conversations" })).toBeFocused();
  await shop.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Start a new conversation" })).toBeFocused();
  await shop.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Download transcript" })).toBeFocused();
  await shop.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(more).toBeFocused();
  await expect(widget.getByRole("textbox", { name: "Message" })).toBeVisible();

  // "Your conversations": the first one, ended; Escape closes the list (not the widget).
  await conversationsButton(widget).click();
  const list = conversationsList(widget);
  await expect(list.getByRole("heading", { name: "Your conversations" })).toBeFocused();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list.getByRole("listitem")).toContainText("Ended");
  await shop.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  await expect(conversationsButton(widget)).toBeFocused();
  await expect(messages.locator(".msg--customer", { hasText: second })).toBeVisible();

  // From the menu this time, at a phone's width: nothing wider than the screen.
  await shop.setViewportSize({ width: 390, height: 800 });
  await more.click();
  await expect(menu.getByRole("menuitem", { name: "Download transcript" })).toBeFocused();
  await shop.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Your conversations" })).toBeFocused();
  await shop.keyboard.press("Enter");
  await expect(list.getByRole("heading", { name: "Your conversations" })).toBeFocused();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  const frame = shop.frames().find((f) => f.url().includes("/widget/"))!;
  const overflow = await frame.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shop.screenshot({ path: "screenshots/widget-conversations-390.png" });

  // Opening it: its messages, to read and to write in (which reopens it).
  await list.getByRole("listitem").getByRole("button").click();
  await expect(list).toHaveCount(0);
  await expect(messages.locator(".msg--customer", { hasText: first })).toHaveCount(1);
  await expect(messages.getByText(second)).toHaveCount(0);
  await expect(widget.getByText("This conversation has ended.")).toBeVisible();
  await expect.poll(async () => (await storedSession(shop)).sessionId).toBe(firstId);
  const followUp = `One more thing about my parcel (${Date.now()})`;
  await visitorSays(widget, followUp);
  await expect(messages.locator(".msg--customer", { hasText: followUp })).toHaveCount(1);
  await expect(widget.getByText("This conversation has ended.")).toHaveCount(0);

  // After a reload the visitor is the same: the other conversation is still listed.
  await shop.setViewportSize({ width: 1280, height: 800 });
  await shop.reload();
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await shop.getByRole("button", { name: "Open chat" }).click();
  await expect(messages.locator(".msg--customer", { hasText: followUp })).toHaveCount(1);
  await conversationsButton(widget).click();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list.getByRole("listitem")).toContainText("Open");
  await list.getByRole("listitem").getByRole("button").click();
  await expect(messages.locator(".msg--customer", { hasText: second })).toHaveCount(1);
  await expect(messages.getByText(first)).toHaveCount(0);

  // "Back" returns to the conversation, the focus on the list's button.
  await conversationsButton(widget).click();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await list.getByRole("button", { name: "Back", exact: true }).click();
  await expect(list).toHaveCount(0);
  await expect(conversationsButton(widget)).toBeFocused();
  await shop.context().close();
});

/** The demo tenant's new identity secret, from `switchboard admin` on the test server's
 *  database (playwright.config.ts: the server behind `baseURL`). */
async function identitySecret(): Promise<string> {
  const binary = resolve(process.env.SWITCHBOARD_BIN || "../target/release/switchboard");
  const database = `sqlite://${process.env.SWITCHBOARD_E2E_DATA}/e2e.db`;
  const { stdout } = await promisify(execFile)(
    binary,
    ["admin", "tenant", "set", "demo", "--identity-secret", "generate", "--database-url", database],
    { cwd: resolve("..") },
  );
  const line = stdout.split("\n").find((l) => l.startsWith("identity secret: "));
  if (!line) throw new Error(`switchboard admin printed no identity secret:\n${stdout}`);
  return line.slice("identity secret: ".length).trim();
}

/** A shop page of the test's own, on the server's origin, whose widget tag vouches for Dana
 *  (customer cust-42) with `hash`; in a fresh browser context (a device of its own). */
async function openShopAsDana(browser: Browser, baseURL: string, hash: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  await context.route(`${baseURL}/shop-for-test`, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test shop</title></head>
<body><h1>Test shop</h1>
<script src="/widget.js" data-widget-key="demo" data-user-id="cust-42" data-user-name="Dana"
  data-user-email="dana@example.com" data-user-hash="${hash}" async></script></body></html>`,
    }),
  );
  const page = await context.newPage();
  await page.goto("/shop-for-test");
  const widget = page.frameLocator('iframe[title="Chat"]');
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Open chat" }).click();
  await expect(widget.getByRole("textbox", { name: "Message" })).toBeVisible();
  return { page, widget };
}

type ShopWindow = { Switchboard: { identify(identity: unknown): void } };

test("a signed-in customer finds their conversation on another device; a wrong hash finds nothing", async ({
  browser,
  baseURL,
}) => {
  const secret = await identitySecret();
  const hash = createHmac("sha256", secret).update("cust-42").digest("hex");

  // On the laptop, Dana writes; the conversation is kept as hers.
  const laptop = await openShopAsDana(browser, baseURL!, hash);
  const question = `Can I change the address of order 1042? (${Date.now()})`;
  await visitorSays(laptop.widget, question);
  await expect(widgetMessages(laptop.widget).locator(".msg--customer", { hasText: question })).toHaveCount(1);
  await expect.poll(() => storedSession(laptop.page)).toMatchObject({ userId: "cust-42" });

  // On her phone (another browser), it is in "Your conversations", and opens.
  const phone = await openShopAsDana(browser, baseURL!, hash);
  await conversationsButton(phone.widget).click();
  const phoneList = conversationsList(phone.widget);
  await expect(phoneList.getByRole("listitem")).toHaveCount(1);
  await phoneList.getByRole("listitem").getByRole("button").click();
  await expect(widgetMessages(phone.widget).locator(".msg--customer", { hasText: question })).toHaveCount(1);

  // A page with a wrong hash is anonymous: nobody's conversations.
  const stranger = await openShopAsDana(browser, baseURL!, "0".repeat(64));
  await conversationsButton(stranger.widget).click();
  const strangerList = conversationsList(stranger.widget);
  await expect(strangerList.getByText("No earlier conversations yet.")).toBeVisible();
  await expect(strangerList.getByRole("listitem")).toHaveCount(0);
  await expect(widgetMessages(stranger.widget).getByText(question)).toHaveCount(0);

  // Dana signs out on the laptop: her conversation leaves the widget; signed in again, it is back.
  await laptop.page.evaluate(() => (window as unknown as ShopWindow).Switchboard.identify(null));
  await expect(widgetMessages(laptop.widget).getByText(question)).toHaveCount(0);
  await expect.poll(() => storedSession(laptop.page)).toEqual({});
  await conversationsButton(laptop.widget).click();
  const laptopList = conversationsList(laptop.widget);
  await expect(laptopList.getByText("No earlier conversations yet.")).toBeVisible();
  await laptop.page.evaluate(
    (userHash) => (window as unknown as ShopWindow).Switchboard.identify({ userId: "cust-42", name: "Dana", userHash }),
    hash,
  );
  await expect(laptopList.getByRole("listitem")).toHaveCount(1);

  for (const device of [laptop, phone, stranger]) await device.page.context().close();
});
