// Read receipts as people see them: "Seen" under the visitor's message once an agent has read
// it, and under the agent's message once the visitor has it on screen; a minimized widget or a
// page in the background has seen nothing.
import { expect, test, type FrameLocator, type Page } from "@playwright/test";
import { AGENT1, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

/** Makes the widget's page look hidden (a background tab) or visible again, as the browser
 *  would: `document.hidden` and a `visibilitychange` event. */
async function setWidgetHidden(shop: Page, hidden: boolean) {
  const frame = shop.frames().find((f) => f.url().includes("/widget/"));
  if (!frame) throw new Error("no widget frame on the page");
  await frame.evaluate((hidden) => {
    Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, hidden);
}

function seenUnder(messages: ReturnType<typeof agentMessages>, text: string) {
  return messages.getByRole("listitem").filter({ hasText: text }).getByText("Seen", { exact: true });
}

function widgetSeen(widget: FrameLocator) {
  return widgetMessages(widget).getByText("Seen", { exact: true });
}

test("each side sees what the other has read", async ({ browser, baseURL }) => {
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  const question = `Has my parcel left? (${Date.now()})`;
  await visitorSays(widget, `I need a real person. ${question}`);
  await expect(widgetMessages(widget).locator(".msg--ai").last()).toContainText("Thanks, we've let the team know.");
  await expect(widgetSeen(widget)).toHaveCount(0);

  // Alice opens the conversation: she has read the visitor's message.
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  await (await rowOfVisitor(alice, shop)).click();
  await expect(widgetMessages(widget).getByRole("listitem").filter({ hasText: question })).toContainText("Seen");
  await alice.getByRole("button", { name: "Assign to me", exact: true }).click();

  // Her answer is on the visitor's screen: "Seen" under it on the dashboard.
  const box = alice.getByRole("textbox", { name: "Message" });
  await box.fill("It left this morning.");
  await box.press("Enter");
  const thread = agentMessages(alice);
  await expect(seenUnder(thread, "It left this morning.")).toBeVisible();
  await shop.screenshot({ path: "screenshots/widget-seen.png" });
  await alice.screenshot({ path: "screenshots/dashboard-seen.png" });

  // Minimized, the widget has not seen the next one; opened again, it has.
  await shop.getByRole("button", { name: "Close chat" }).click();
  await box.fill("Anything else?");
  await box.press("Enter");
  await expect(thread.getByRole("listitem").filter({ hasText: "Anything else?" })).toBeVisible();
  await expect(seenUnder(thread, "Anything else?")).toHaveCount(0);
  await expect(seenUnder(thread, "It left this morning.")).toBeVisible();
  await shop.getByRole("button", { name: "Open chat" }).click();
  await expect(seenUnder(thread, "Anything else?")).toBeVisible();
  await expect(seenUnder(thread, "It left this morning.")).toHaveCount(0);

  // In a background tab, open or not, nothing is seen until the visitor comes back to it.
  await setWidgetHidden(shop, true);
  await box.fill("Are you still there?");
  await box.press("Enter");
  await expect(widgetMessages(widget).getByRole("listitem").filter({ hasText: "Are you still there?" })).toBeVisible();
  await expect(seenUnder(thread, "Anything else?")).toBeVisible();
  await setWidgetHidden(shop, false);
  await expect(seenUnder(thread, "Are you still there?")).toBeVisible();

  // A reload keeps both marks.
  await alice.reload();
  await expect(seenUnder(agentMessages(alice), "Are you still there?")).toBeVisible();
  await shop.reload();
  const again = shop.frameLocator('iframe[title="Chat"]');
  await shop.getByRole("button", { name: "Open chat" }).click();
  await expect(widgetMessages(again).getByRole("listitem").filter({ hasText: question })).toContainText("Seen");
  for (const page of [shop, alice]) await page.context().close();
});
