// Agents never miss a visitor: with the dashboard's tab in the background, a visitor who needs a
// person raises a desktop notification (the permission granted by the test, as an agent would)
// and the tab's title counts what waits; clicking the notification opens the conversation.
import { expect, test, type Page } from "@playwright/test";
import { AGENT1, PASSWORD, openWidget, visitorSays } from "./helpers";

/** Keeps what the page's notifications said, and lets the test click them. */
declare global {
  interface Window {
    shownNotifications: { title: string; body: string; note: Notification }[];
  }
}

async function signInWith(page: Page, email: string) {
  await page.goto("/");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
}

/** The session id the widget on `shop` stored once its conversation started. */
async function widgetSession(shop: Page): Promise<string> {
  const frame = shop.frames().find((f) => f.url().includes("/widget/"));
  if (!frame) throw new Error("no widget frame on the page");
  let id = "";
  await expect
    .poll(async () => {
      const stored = await frame.evaluate(() => localStorage.getItem("switchboard.demo.session"));
      id = (JSON.parse(stored ?? "{}") as { sessionId?: string }).sessionId ?? "";
      return id;
    })
    .toBeTruthy();
  return id;
}

/** Makes the tab look hidden (another tab in front) or visible again. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

test("a visitor who needs a person reaches the agent whose tab is in the background", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, permissions: ["notifications"], viewport: { width: 1280, height: 800 } });
  // The real Notification, recorded on its way: the test reads what was shown and clicks it.
  await context.addInitScript(() => {
    const Real = window.Notification;
    window.shownNotifications = [];
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.shownNotifications.push({ title, body: options?.body ?? "", note: this });
      }
    }
    window.Notification = Recorded as typeof Notification;
  });
  const alice = await context.newPage();
  await signInWith(alice, AGENT1.email);
  // The permission is given already: no offer to turn notifications on.
  await expect(alice.getByRole("region", { name: "Notifications" })).toHaveCount(0);
  await expect(alice.getByRole("checkbox", { name: "Sound" })).toBeChecked();

  await setHidden(alice, true);
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  const question = `I need a real person about my order (${Date.now()})`;
  await visitorSays(widget, question);
  const sessionId = await widgetSession(shop);
  // Other tests' visitors may call for a person too: this one's notification is tagged with its id.
  await expect
    .poll(() => alice.evaluate((id) => window.shownNotifications.filter((n) => n.note.tag === id).map((n) => n.title), sessionId))
    .toContain("A visitor needs a person");
  await expect(alice).toHaveTitle(/^\(\d+\) Switchboard · Agent dashboard$/);

  // Clicking it opens that conversation.
  await alice.evaluate((id) => {
    const shown = window.shownNotifications.find((n) => n.note.tag === id);
    shown?.note.onclick?.(new Event("click"));
  }, sessionId);
  await setHidden(alice, false);
  await expect(alice).toHaveURL(/\/conversations\//);
  await expect(alice.getByRole("region", { name: "Conversation view" }).getByText(question)).toBeVisible();
  for (const page of [shop, alice]) await page.context().close();
});

test("the offer of notifications is made once, and the tone can be turned off", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const agent = await context.newPage();
  await signInWith(agent, AGENT1.email);
  const offer = agent.getByRole("region", { name: "Notifications" });
  await expect(offer).toContainText("Get a desktop notification when a visitor needs you");
  await offer.getByRole("button", { name: "Not now" }).click();
  await expect(offer).toHaveCount(0);
  await agent.getByRole("checkbox", { name: "Sound" }).uncheck();
  await agent.reload();
  await expect(agent.getByRole("status", { name: "Connection" })).toHaveText("Live");
  await expect(agent.getByRole("region", { name: "Notifications" })).toHaveCount(0);
  await expect(agent.getByRole("checkbox", { name: "Sound" })).not.toBeChecked();
  await context.close();
});
