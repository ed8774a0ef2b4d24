import { expect, test } from "@playwright/test";
import { AGENT1, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

test("the widget opens at the latest message with the cursor in the message box, and Escape closes it", async ({
  browser,
  baseURL,
}) => {
  const { page, widget } = await openWidget(browser, baseURL!);
  for (const question of ["What are your opening hours?", "How much does shipping cost?", "Can I return an unopened bag?"]) {
    await visitorSays(widget, question);
    await expect(widget.locator(".msg--streaming")).toHaveCount(0);
    await expect(widgetMessages(widget).locator(".msg--ai")).not.toHaveCount(0);
  }
  await expect(widgetMessages(widget).locator(".msg--ai")).toHaveCount(3);

  await page.reload();
  const bubble = page.getByRole("button", { name: "Open chat" });
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await bubble.focus();
  await page.keyboard.press("Enter");
  const box = widget.getByRole("textbox", { name: "Message" });
  await expect(box).toBeFocused();
  await expect(widgetMessages(widget).locator(".msg--ai").last()).toBeInViewport();

  await page.keyboard.press("Escape");
  await expect(page.getByRole("button", { name: "Open chat" })).toBeFocused();
  await expect(box).toBeHidden();
  await page.context().close();
});

test("one 12,000-character word wraps inside the composer; the count and the error follow the text", async ({
  browser,
  baseURL,
}) => {
  const { page, widget } = await openWidget(browser, baseURL!);
  const box = widget.getByRole("textbox", { name: "Message" });
  await box.fill("a".repeat(12_000));
  const send = widget.getByRole("button", { name: "Send" });
  await expect(send).toBeInViewport();
  const frame = await page.locator('iframe[title="Chat"]').boundingBox();
  const sendBox = await send.boundingBox();
  expect(sendBox!.x + sendBox!.width).toBeLessThanOrEqual(frame!.x + frame!.width);
  await expect(widget.getByText("2,000 characters too many (at most 10,000)")).toBeVisible();
  await box.press("Enter");
  await expect(widget.getByRole("alert")).toHaveText("A message can be at most 10,000 characters.");
  await page.screenshot({ path: "screenshots/widget-too-long.png" });

  await box.fill("a".repeat(9_500));
  await expect(widget.getByRole("alert")).toHaveCount(0);
  await expect(widget.getByText("9,500 of 10,000 characters")).toBeVisible();
  await box.fill("Hello");
  await expect(widget.getByText(/of 10,000 characters/)).toHaveCount(0);
  await page.context().close();
});

test("typing ends a few seconds after the last keystroke, and when the message is sent", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  // The visitor's clock is Playwright's, so that "a few seconds later" takes no time.
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  await context.clock.install();
  const shop = await context.newPage();
  await shop.goto("/widget-demo");
  const widget = shop.frameLocator('iframe[title="Chat"]');
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await shop.getByRole("button", { name: "Open chat" }).click();
  await visitorSays(widget, `Hello there (${Date.now()})`);
  await (await rowOfVisitor(agent, shop)).click();

  const indicator = agent.getByRole("region", { name: "Conversation view" }).getByText(/is typing…/);
  const box = widget.getByRole("textbox", { name: "Message" });
  await box.pressSequentially("I have a qu");
  await expect(indicator).toBeVisible();
  await context.clock.runFor(5_100);
  await expect(indicator).toBeHidden();

  await box.pressSequentially("estion about");
  await expect(indicator).toBeVisible();
  await box.press("Enter");
  await expect(indicator).toBeHidden();
  await expect(agent.getByRole("region", { name: "Conversation view" }).getByText("I have a question about")).toBeVisible();
  await context.close();
  await agent.context().close();
});

test("links, bold, italic and code render on both sides; nothing else of HTML does", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, "See https://example.com/order?id=7, it is **urgent** and _late_: `#A-17` <b>not bold</b>");
  await (await rowOfVisitor(agent, shop)).click();
  for (const side of [widgetMessages(widget), agent.getByRole("region", { name: "Conversation view" })]) {
    const message = side.locator(".msg--customer").last();
    const link = message.getByRole("link", { name: "https://example.com/order?id=7" });
    await expect(link).toHaveAttribute("href", "https://example.com/order?id=7");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(message.locator("strong")).toHaveText("urgent");
    await expect(message.locator("em")).toHaveText("late");
    await expect(message.locator("code")).toHaveText("#A-17");
    await expect(message.locator("b")).toHaveCount(0);
    await expect(message).toContainText("<b>not bold</b>");
  }
  for (const page of [shop, agent]) await page.context().close();
});
