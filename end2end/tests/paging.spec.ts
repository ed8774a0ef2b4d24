// A busy desk: the inbox loads a page at a time, more as the agent scrolls, and a long
// conversation opens at its newest messages, earlier ones a scroll (or a button) away, in the
// dashboard and in the widget.
import { expect, test, type Page } from "@playwright/test";
import { AGENT1, OwnServer, agentMessages, signIn, widgetMessages } from "./helpers";

const QUIET = ["--ai", "off", "--rate-start-ip", "off", "--rate-message-ip", "off", "--rate-session-chat", "off"];

async function call(base: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

/** A visitor who wrote `lines` messages; their session key and id. */
async function visitor(base: string, name: string, lines: string[]) {
  const started = await call(base, "/api/v1/chat/public/start", { widgetKey: "demo", visitor: { name } });
  for (const content of lines) {
    await call(base, "/api/v1/chat/public/message", { sessionKey: started.sessionKey, content });
  }
  return started as { sessionKey: string; sessionId: string };
}

async function scrollToEnd(page: Page, selector: string) {
  await page.locator(selector).evaluate((list) => list.scrollTo({ top: list.scrollHeight, behavior: "instant" }));
}

test.describe("a busy desk", () => {
  const server = new OwnServer(QUIET);
  let long: { sessionKey: string; sessionId: string };
  test.beforeAll(async () => {
    await server.start();
    for (let n = 1; n <= 60; n++) await visitor(server.baseURL, `Visitor ${n}`, [`Question ${n}`]);
    long = await visitor(server.baseURL, "Long Talker", Array.from({ length: 130 }, (_, i) => `line ${i + 1}`));
  });
  test.afterAll(async () => server.dispose());

  test("the inbox loads more as the agent scrolls, and a long conversation opens at its latest in both windows", async ({
    browser,
  }) => {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    const views = agent.getByRole("group", { name: "Filter" });
    const inbox = agent.getByRole("complementary", { name: "Inbox" });
    await views.getByRole("button", { name: /^All open/ }).click();
    await expect(views.getByRole("button", { name: /^All open/ })).toHaveText("All open50+");
    await expect(inbox.locator(".inbox__row")).toHaveCount(50);
    await expect(inbox.getByRole("button", { name: "Load more conversations" })).toBeVisible();
    await scrollToEnd(agent, ".inbox__list");
    await expect(inbox.locator(".inbox__row")).toHaveCount(61);
    await expect(views.getByRole("button", { name: /^All open/ })).toHaveText("All open61");
    await expect(inbox.getByRole("button", { name: "Load more conversations" })).toHaveCount(0);

    // The long conversation: its newest page, then the rest on the button.
    await agent.locator(`.inbox__row[data-session-id="${long.sessionId}"]`).click();
    const thread = agentMessages(agent);
    await expect(thread.getByText("line 130", { exact: true })).toBeVisible();
    await expect(thread.locator(".msg")).toHaveCount(100);
    await expect(thread.getByText("line 1", { exact: true })).toHaveCount(0);
    // Clicked where it is: scrolling it into view first would reach the top of the list, which
    // loads the earlier messages by itself and takes the button away mid-click.
    await thread.getByRole("button", { name: "Show earlier messages" }).dispatchEvent("click");
    await expect(thread.getByText("line 1", { exact: true })).toBeAttached();
    await expect(thread.locator(".msg")).toHaveCount(130);
    await expect(thread.getByRole("button", { name: "Show earlier messages" })).toHaveCount(0);

    // The visitor's widget, on their own device: the latest first, earlier ones on scrolling up.
    const context = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 1280, height: 800 } });
    await context.addInitScript(
      ([key, id]) => localStorage.setItem("switchboard.demo.session", JSON.stringify({ sessionKey: key, sessionId: id })),
      [long.sessionKey, long.sessionId],
    );
    const shop = await context.newPage();
    await shop.goto("/widget-demo");
    await shop.getByRole("button", { name: "Open chat" }).click();
    const widget = shop.frameLocator('iframe[title="Chat"]');
    const messages = widgetMessages(widget);
    await expect(messages.getByText("line 130", { exact: true })).toBeVisible();
    await expect(messages.getByRole("button", { name: "Show earlier messages" })).toBeAttached();
    await expect(messages.getByText("line 1", { exact: true })).toHaveCount(0);
    await messages.evaluate((list) => list.scrollTo({ top: 0, behavior: "instant" }));
    await expect(messages.getByText("line 1", { exact: true })).toBeAttached();
    await expect(messages.getByRole("button", { name: "Show earlier messages" })).toHaveCount(0);
    for (const page of [shop, agent]) await page.context().close();
  });
});
