// A server restart in the middle of a conversation: both pages notice, recover by themselves,
// and a message the visitor sent while the server was down arrives once, on both sides.
import { expect, test } from "@playwright/test";
import { AGENT1, OwnServer, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

test("both pages recover from a server restart and the message sent meanwhile arrives once", async ({ browser }) => {
  test.setTimeout(120_000);
  const server = new OwnServer();
  await server.start();
  try {
    const agent = await signIn(browser, server.baseURL, AGENT1.email);
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    const question = `Where is my order? (${Date.now()})`;
    await visitorSays(widget, question);
    await expect(widgetMessages(widget).locator(".msg--customer", { hasText: question })).toHaveCount(1);
    await (await rowOfVisitor(agent, shop)).click();
    await agent.getByRole("button", { name: "Assign to me" }).click();
    await expect(widget.getByText(`Connected to ${AGENT1.name}`)).toBeVisible();

    await server.stop();
    const link = agent.getByRole("status", { name: "Connection" });
    await expect(link).not.toHaveText("Live");
    await expect(widget.getByTitle("Connection")).toHaveText(/Reconnecting…|Connecting…/);

    const during = "Sent while you were away";
    await visitorSays(widget, during);
    await expect(widgetMessages(widget).locator(".msg--sending", { hasText: during })).toHaveCount(1);
    await shop.screenshot({ path: "screenshots/widget-reconnecting.png" });

    await server.start();
    await expect(link).toHaveText("Live", { timeout: 45_000 });
    // Back: the widget no longer shows any connection state.
    await expect(widget.getByTitle("Connection")).toBeHidden({ timeout: 45_000 });

    // Once on each side: stored, confirmed, and never doubled by the resend or the catch-up.
    const agentSide = agentMessages(agent).locator(".msg--customer", { hasText: during });
    const widgetSide = widgetMessages(widget).locator(".msg--customer", { hasText: during });
    await expect(agentSide).toHaveCount(1);
    await expect(widgetSide).toHaveCount(1);
    await expect(widgetMessages(widget).locator(".msg--sending")).toHaveCount(0);

    // And the conversation goes on.
    await agent.getByRole("textbox", { name: "Message" }).fill("Back online. Your order left today.");
    await agent.getByRole("button", { name: "Send" }).click();
    await expect(widgetMessages(widget).locator(".msg--agent", { hasText: "Back online" })).toHaveCount(1);
    await expect(agentSide).toHaveCount(1);
    await expect(widgetSide).toHaveCount(1);
  } finally {
    await server.dispose();
  }
});
