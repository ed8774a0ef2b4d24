// The widget and the dashboard, live, in fresh browser contexts: the chat testing guide's tests 3, 4 and 5,
// a reload, hostile text, and the dashboard's sign-out and expired session.
import { expect, test } from "@playwright/test";
import {
  AGENT1,
  AGENT2,
  agentMessages,
  rowOfVisitor,
  inboxRow,
  openWidget,
  signIn,
  visitorSays,
  widgetMessages,
} from "./helpers";

test("the chat testing guide's Test 3: the widget answers a question, token by token", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  const shop = await context.newPage();
  await shop.goto("/widget-demo");
  const bubble = shop.getByRole("button", { name: "Open chat" });
  await expect(bubble).toBeVisible();
  await shop.screenshot({ path: "screenshots/widget-closed.png" });
  await context.close();

  const { page, widget } = await openWidget(browser, baseURL!);
  await expect(widget.getByRole("heading", { name: "Demo" })).toBeVisible();
  await expect(widget.getByText(/^AI assistant · /)).toBeVisible();
  await visitorSays(widget, "Hello, I need help!");
  const messages = widgetMessages(widget);
  await expect(messages.locator(".msg--customer", { hasText: "Hello, I need help!" })).toHaveCount(1);
  await expect(messages.locator(".msg--ai").first()).toContainText(/\w+/);

  // A longer answer: it shows while it streams, then stays as the stored message.
  await visitorSays(widget, "What are your opening hours?");
  const streaming = messages.locator(".msg--streaming");
  await expect(streaming).toBeVisible();
  await page.screenshot({ path: "screenshots/widget-answering.png" });
  await expect(streaming).toHaveCount(0);
  await expect(messages.locator(".msg--ai").last()).toContainText("Tuesday to Saturday");
  await expect(messages.locator(".msg--ai").last()).toContainText("AI assistant");
});

test("the chat testing guide's Test 4: a visitor and an agent talk live; the widget says who has joined", async ({
  browser,
  baseURL,
}) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const { page: shop, widget } = await openWidget(browser, baseURL!);

  const question = `I have a question about pricing (${Date.now()})`;
  await visitorSays(widget, question);
  await expect(widgetMessages(widget).locator(".msg--customer", { hasText: question })).toHaveCount(1);

  // The conversation appears in the inbox without a reload, then the AI's answer follows.
  const row = inboxRow(agent, question.slice(0, 20));
  await expect(row).toHaveCount(1);
  await row.click();
  const conversation = agentMessages(agent);
  await expect(conversation.locator(".msg--customer", { hasText: question })).toHaveCount(1);
  await expect(conversation.locator(".msg--ai")).toHaveCount(1);

  await agent.getByRole("button", { name: "Assign to me" }).click();
  const view = agent.getByRole("region", { name: "Conversation view" });
  await expect(view.getByText("Active", { exact: true })).toBeVisible();
  await expect(view.getByText("Assigned to you")).toBeVisible();
  await expect(widget.getByText(`Connected to ${AGENT1.name}`)).toBeVisible();

  // Typing both ways, then the agent's reply.
  await agent.getByRole("textbox", { name: "Message" }).pressSequentially("Hi, this is Ali");
  await expect(widget.getByText(`${AGENT1.name} is typing…`)).toBeVisible();
  await agent.getByRole("textbox", { name: "Message" }).pressSequentially("ce. Happy to help!");
  await agent.getByRole("button", { name: "Send" }).click();
  const reply = "Hi, this is Alice. Happy to help!";
  await expect(widgetMessages(widget).locator(".msg--agent", { hasText: reply })).toHaveCount(1);
  await expect(widgetMessages(widget).locator(".msg--agent", { hasText: reply })).toContainText(AGENT1.name);
  await expect(widget.getByText(`${AGENT1.name} is typing…`)).toHaveCount(0);

  await widget.getByRole("textbox", { name: "Message" }).pressSequentially("Great, thanks");
  await expect(view.getByText(/is typing…/)).toBeVisible();
  await widget.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(conversation.locator(".msg--customer", { hasText: "Great, thanks" })).toHaveCount(1);

  await shop.screenshot({ path: "screenshots/widget-with-agent.png" });
  await agent.screenshot({ path: "screenshots/dashboard.png" });

  // Closing tells the visitor.
  await agent.getByRole("button", { name: "Close", exact: true }).click();
  await expect(widget.getByText("This conversation is closed")).toBeVisible();
});

test("the chat testing guide's Test 5: two agents see each other's assignments and replies live", async ({ browser, baseURL }) => {
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  const bob = await signIn(browser, baseURL!, AGENT2.email);
  const { page: shop, widget } = await openWidget(browser, baseURL!);

  const question = `Do you ship to Norway? (${Date.now()})`;
  await visitorSays(widget, question);
  // Found by the conversation's id: the row's preview changes as soon as the assistant answers.
  const aliceRow = await rowOfVisitor(alice, shop);
  const bobRow = await rowOfVisitor(bob, shop);

  await bobRow.click();
  await aliceRow.click();
  await alice.getByRole("button", { name: "Assign to me" }).click();
  // Bob sees who holds it, in the inbox and in the open conversation.
  await expect(bobRow).toContainText(AGENT1.name);
  await expect(bob.getByRole("region", { name: "Conversation view" }).getByText(`Assigned to ${AGENT1.name}`)).toBeVisible();

  await alice.getByRole("textbox", { name: "Message" }).fill("Yes, we ship to Norway in 3-5 days.");
  await alice.getByRole("button", { name: "Send" }).click();
  await expect(agentMessages(bob).locator(".msg--agent", { hasText: "Yes, we ship to Norway" })).toHaveCount(1);
  await expect(widgetMessages(widget).locator(".msg--agent", { hasText: "Yes, we ship to Norway" })).toHaveCount(1);
  await bob.screenshot({ path: "screenshots/dashboard-second-agent.png" });
});

test("a returning visitor sees the same conversation, after a reload and on another page", async ({
  browser,
  baseURL,
}) => {
  const { page, widget } = await openWidget(browser, baseURL!);
  const first = `Do you sell gift cards? (${Date.now()})`;
  await visitorSays(widget, first);
  const messages = widgetMessages(widget);
  await expect(messages.locator(".msg--ai")).toHaveCount(1);
  await expect(messages.locator(".msg--streaming")).toHaveCount(0);
  const before = await messages.locator("li[data-seq]").count();

  await page.reload();
  const again = page.frameLocator('iframe[title="Chat"]');
  await again.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Open chat" }).click();
  await expect(widgetMessages(again).locator(".msg--customer", { hasText: first })).toHaveCount(1);
  await expect(widgetMessages(again).locator("li[data-seq]")).toHaveCount(before);

  await page.goto("/widget-demo.html");
  const other = page.frameLocator('iframe[title="Chat"]');
  await other.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Open chat" }).click();
  await expect(widgetMessages(other).locator(".msg--customer", { hasText: first })).toHaveCount(1);
});

test("the bubble counts answers that arrive while the widget is closed", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const { page, widget } = await openWidget(browser, baseURL!);
  const question = `Can I change my grind? (${Date.now()})`;
  await visitorSays(widget, question);
  await expect(widgetMessages(widget).locator(".msg--ai")).toHaveCount(1);
  await expect(widgetMessages(widget).locator(".msg--streaming")).toHaveCount(0);
  await page.getByRole("button", { name: "Close chat" }).click();

  await (await rowOfVisitor(agent, page)).click();
  await agent.getByRole("button", { name: "Assign to me" }).click();
  await agent.getByRole("textbox", { name: "Message" }).fill("Yes: reply with the grind you want.");
  await agent.getByRole("button", { name: "Send" }).click();
  // The join notice is a system line; the agent's reply is one unread answer.
  await expect(page.getByRole("button", { name: "Open chat (1 unread)" })).toBeVisible();
  await page.getByRole("button", { name: "Open chat (1 unread)" }).click();
  await expect(page.getByRole("button", { name: "Close chat" })).toBeVisible();
  await page.getByRole("button", { name: "Close chat" }).click();
  await expect(page.getByRole("button", { name: "Open chat", exact: true })).toBeVisible();
});

test("a script-looking message stays text on both sides", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const { page, widget } = await openWidget(browser, baseURL!);
  const hostile = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b> ${Date.now()}`;
  await visitorSays(widget, hostile);
  const mine = widgetMessages(widget).locator(".msg--customer .msg__text");
  await expect(mine).toHaveText(hostile);
  await expect(widgetMessages(widget).locator("img, script, b")).toHaveCount(0);

  const row = await rowOfVisitor(agent, page);
  // The preview (the visitor's words, or the AI's answer that follows them) is text too.
  await expect(row).toBeVisible();
  await expect(agent.getByRole("complementary", { name: "Inbox" }).locator("img, script, b")).toHaveCount(0);
  await row.click();
  const theirs = agentMessages(agent).locator(".msg--customer .msg__text");
  await expect(theirs).toHaveText(hostile);
  await expect(agentMessages(agent).locator("img, script, b")).toHaveCount(0);

  expect(await agent.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  for (const frame of page.frames()) {
    expect(await frame.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  }
});

test("sign out, and an expired session returns to sign-in with a clear message", async ({ browser, baseURL }) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  const token = await agent.evaluate(() => JSON.parse(localStorage.getItem("switchboard.agent")!).token);
  const logout = agent.waitForResponse((r) => r.url().endsWith("/api/v1/auth/logout"));
  await agent.getByRole("button", { name: "Sign out" }).click();
  await expect(agent.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect((await logout).status()).toBe(204);
  // Signing out ended the token on the server, not only in this page.
  const me = await agent.request.get("/api/v1/auth/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(401);
  await agent.reload();
  await agent.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await expect(agent.getByRole("button", { name: "Sign in" })).toBeVisible();

  // A token the server no longer accepts, as after its expiry.
  const context = await browser.newContext({ baseURL });
  await context.addInitScript(() => {
    localStorage.setItem(
      "switchboard.agent",
      JSON.stringify({
        token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LXZhbGlk",
        agent: { id: "x", name: "Someone", email: "someone@example.com" },
      }),
    );
  });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("alert")).toHaveText(
    "You have been signed out (your sign-in expired or was ended). Please sign in again.",
  );
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});

test("the chat testing guide's Test 1: the diagnostics page starts a test session, shows the AI's answer and every event, and no agent sees it", async ({
  page,
  browser,
  baseURL,
}) => {
  const agent = await signIn(browser, baseURL!, AGENT1.email);
  await page.goto("/websocket-test");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Start Session" }).click();
  await expect(page.getByText(/^Session ID: [0-9a-f-]{36}$/)).toBeVisible();
  await expect(page.getByText("A test conversation: the assistant answers it, and it stays out of the agents' inbox.")).toBeVisible();
  await page.getByRole("button", { name: "Connect WebSocket" }).click();
  await expect(page.getByRole("status")).toHaveText("Connected");

  await page.getByRole("textbox", { name: "Message" }).fill("What are your opening hours?");
  await page.getByRole("button", { name: "Send" }).click();
  const chat = page.getByRole("region", { name: "Messages" });
  await expect(chat.locator(".msg--mine", { hasText: "What are your opening hours?" })).toHaveCount(1);
  await expect(chat.locator(".msg--theirs.msg--ai", { hasText: "Tuesday to Saturday" })).toHaveCount(1);
  const events = page.getByRole("list", { name: "WebSocket events" });
  for (const type of ["connection", "chat.message.new", "stream-start", "stream-token", "stream-end"]) {
    await expect(events.locator(".history__direction", { hasText: type }).first()).toBeVisible();
  }
  await page.screenshot({ path: "screenshots/websocket-test-session.png", fullPage: true });

  // A real visitor writes after the test: once their row is in the inbox, the test's would be too.
  const testId = (await page.getByText(/^Session ID: /).textContent())!.replace("Session ID: ", "");
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, "A real question after the test");
  await agent.getByRole("group", { name: "Filter" }).getByRole("button", { name: /^All open/ }).click();
  await expect(await rowOfVisitor(agent, shop)).toBeVisible();
  await expect(agent.locator(`.inbox__row[data-session-id="${testId}"]`)).toHaveCount(0);
});
