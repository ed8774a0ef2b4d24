import { expect, test } from "@playwright/test";

test("the diagnostics page echoes text, numbers and emoji over /ws/echo", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  await page.goto("/websocket-test");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("button", { name: "Echo" }).click();
  const status = page.getByRole("status");
  await expect(status).toHaveText("Disconnected");

  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(status).toHaveText("Connected");
  await expect(page.getByRole("button", { name: "Disconnect" })).toBeEnabled();

  const history = page.getByRole("list", { name: "History" });
  const messages = ["Hello WebSocket!", "12345", "🚀 Unicode and emojis work too! 🎉"];
  for (const text of messages) {
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
    await expect(history.locator(".history__entry--received", { hasText: `Echo: ${text}` })).toHaveCount(1);
  }
  await expect(history.locator(".history__entry--sent")).toHaveCount(3);
  await expect(history.locator(".history__entry--received")).toHaveCount(3);
  // Every entry carries its time.
  await expect(history.locator(".history__entry--received .history__time").first()).toHaveText(
    /^\d\d:\d\d:\d\d\.\d{3}$/,
  );

  await page.screenshot({ path: "screenshots/websocket-test.png", fullPage: true });

  await page.getByRole("button", { name: "Disconnect" }).click();
  await expect(status).toHaveText("Disconnected");
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await expect(history.locator(".history__entry--event").last()).toContainText("Disconnected (code 1000");

  expect(problems).toEqual([]);
});

test("the diagnostics page is reachable under the seeds' paths", async ({ page }) => {
  for (const path of ["/websocket-test.html", "/static/websocket_test.html"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { name: "WebSocket diagnostics" })).toBeVisible();
  }
});

test("the sign-in page, the demo shop and the 404 page render", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("textbox", { name: "Email" })).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: "screenshots/sign-in.png" });

  for (const path of ["/widget-demo", "/widget-demo.html"]) {
    const shop = await page.goto(path);
    expect(shop?.status()).toBe(200);
    await expect(page.getByRole("heading", { name: "Coffee worth waking up for." })).toBeVisible();
  }
  await expect(page.locator('script[src="/widget.js"][data-widget-key="demo"]')).toHaveCount(1);
  await page.screenshot({ path: "screenshots/widget-demo.png" });

  const missing = await page.goto("/no/such/page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
});

test("signing in with a wrong pair says so; the demo agent signs in", async ({ page }) => {
  await page.goto("/");
  await page.locator("html[data-hydrated]").waitFor();
  await page.getByRole("textbox", { name: "Email" }).fill("agent1@callcenter.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("wrong email or password");

  await page.getByLabel("Password").fill("Password123!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  await expect(page.locator(".topbar__name")).toHaveText("Alice Martin");
});

test("every page hydrates under its Content-Security-Policy, with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (execute|load|connect|compile)/i.test(text)) violations.push(text);
  });
  // The browser's own report of each violation, in the page and in the messenger's frame.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });

  for (const path of ["/", "/websocket-test", "/no-such-page"]) {
    const response = await page.goto(path);
    expect(response?.headers()["content-security-policy"]).toContain("'nonce-");
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  }

  // The shop page with the widget: the page, then the messenger inside its frame, both hydrated.
  await page.goto("/widget-demo");
  const widget = page.frameLocator('iframe[title="Chat"]');
  await widget.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Open chat" }).click();
  await expect(widget.getByRole("textbox", { name: "Message" })).toBeVisible();
  await widget.getByRole("textbox", { name: "Message" }).fill("Hello under a strict policy");
  await widget.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(widget.getByText("Hello under a strict policy")).toBeVisible();

  // The dashboard signs in and opens its socket under the policy.
  await page.goto("/");
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await page.getByRole("textbox", { name: "Email" }).fill("agent1@callcenter.com");
  await page.getByLabel("Password").fill("Password123!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  const inbox = page.getByRole("complementary", { name: "Inbox" });
  // The visitor's conversation is listed (its preview may already be the assistant's answer).
  await expect(inbox.getByRole("button").first()).toBeVisible();

  expect(violations).toEqual([]);
});

test("the help center lists the shop's articles and shows one, readable at 390 px", async ({ page }) => {
  await page.goto("/help/demo");
  await expect(page.getByRole("heading", { name: "Demo help center" })).toBeVisible();
  await expect(page.getByRole("listitem")).toHaveCount(12);
  await page.setViewportSize({ width: 390, height: 760 });
  await page.getByRole("link", { name: "Shipping and delivery" }).click();
  await expect(page).toHaveURL(/\/help\/demo\/shipping$/);
  await expect(page.getByRole("heading", { name: "Shipping and delivery", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Delivery times", level: 2 })).toBeVisible();
  // Nothing is wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "screenshots/help-center.png", fullPage: true });
  await page.getByRole("link", { name: "Demo help center" }).click();
  await expect(page).toHaveURL(/\/help\/demo$/);
});
