import { expect, test } from "@playwright/test";
import { AGENT1, OwnServer, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

test("each conversation has its address: reload, back and forward keep it", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  const question = `Where is my order? (${Date.now()})`;
  await visitorSays(widget, question);
  await (await rowOfVisitor(agent, shop)).click();
  await expect(agent).toHaveURL(/\/conversations\/[0-9a-f-]+$/);
  const address = agent.url();
  await expect(agentMessages(agent).getByText(question)).toBeVisible();

  await agent.reload();
  await expect(agent.getByRole("status", { name: "Connection" })).toHaveText("Live");
  await expect(agentMessages(agent).getByText(question)).toBeVisible();
  expect(agent.url()).toBe(address);

  await agent.goBack();
  await expect(agent.getByRole("heading", { name: "No conversation open" })).toBeVisible();
  await agent.goForward();
  await expect(agentMessages(agent).getByText(question)).toBeVisible();

  // On a phone the open conversation fills the screen: nothing wider than it, the reply box in
  // reach, and a way back to the list.
  await agent.setViewportSize({ width: 390, height: 800 });
  const overflow = await agent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(agent.getByRole("textbox", { name: "Message" })).toBeInViewport();
  await agent.screenshot({ path: "screenshots/dashboard-390.png" });
  await agent.getByRole("link", { name: "← All conversations" }).click();
  await expect(agent).toHaveURL(/\/$/);
  await expect(agent.getByRole("complementary", { name: "Inbox" })).toBeInViewport();
  for (const page of [shop, agent]) await page.context().close();
});

test.describe("with a slow assistant", () => {
  // Each token 300 ms apart: the answer is still streaming when the agent opens the conversation.
  const server = new OwnServer(["--ai-token-delay-ms", "300"]);
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.dispose());

  test("a conversation opened mid-answer shows the answer streaming from where it is", async ({ browser }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    await visitorSays(widget, "What are your opening hours?");
    await expect(widgetMessages(widget).locator(".msg--streaming")).toContainText(/\w+ \w+/);
    await (await rowOfVisitor(agent, shop)).click();
    const streaming = agentMessages(agent).locator(".msg--streaming");
    // What was said before the agent opened it is there at once, and the rest follows.
    await expect(streaming).toContainText(/\w+ \w+/);
    const before = (await streaming.textContent()) ?? "";
    await expect.poll(async () => ((await streaming.textContent()) ?? "").length).toBeGreaterThan(before.length);
    await expect(agentMessages(agent).locator(".msg--ai").last()).toContainText("Tuesday to Saturday", { timeout: 40_000 });
    await expect(streaming).toHaveCount(0);
    for (const page of [shop, agent]) await page.context().close();
  });
});
