// Office hours as people see them: an admin sets the team's hours; outside them the widget says
// when the team is back, in the visitor's own time, and asks for an email address, which the
// agent then sees with the conversation.
import { expect, test } from "@playwright/test";
import { AGENT1, OwnServer, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

/** The day after tomorrow in UTC, by name: the team is surely not in now. */
function aLaterDay(): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  return days[(new Date().getUTCDay() + 2) % 7];
}

test.describe("on a server of its own", () => {
  // The demo tenant's hours change here: other tests expect a team that is in.
  const server = new OwnServer();
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.dispose());

  test("out of hours the widget says when the team is back and takes an email for the reply", async ({ browser }) => {
    const alice = await signIn(browser, server.baseURL, AGENT1.email);
    await alice.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Settings" }).click();
    const form = alice.getByRole("form", { name: "Office hours" });
    const hours = form.getByRole("textbox", { name: "When your team answers" });
    await hours.fill("Mon-Fry 08:00-20:00");
    await form.getByRole("textbox", { name: "Time zone" }).fill("UTC");
    await form.getByRole("button", { name: "Save office hours" }).click();
    await expect(form.getByRole("alert")).toContainText("`Fry` is not a day");
    await hours.fill(`${aLaterDay()} 10:00-16:00`);
    await form.getByRole("button", { name: "Save office hours" }).click();
    await expect(form.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

    // The shop's visitor reads when the team is back, in their own time.
    const { page: shop, widget } = await openWidget(browser, server.baseURL);
    const header = widget.getByRole("banner");
    await expect(header).toContainText(/AI assistant · the team is back on \w+day at \d\d:00/);
    await visitorSays(widget, "Do you ship to Belgium?");
    await expect(widgetMessages(widget).locator(".msg--ai").last()).toBeVisible();
    await expect(widgetMessages(widget).locator(".msg--streaming")).toHaveCount(0);
    const contact = widget.getByRole("form", { name: "Leave your email" });
    await expect(contact).toContainText("Nobody can answer right now. Leave your email so the team can reach you:");
    await shop.screenshot({ path: "screenshots/widget-out-of-hours.png" });
    const email = contact.getByRole("textbox", { name: /Leave your email/ });
    await email.fill("dana@example.com");
    await contact.getByRole("button", { name: "Send" }).click();
    await expect(widget.getByRole("status").filter({ hasText: "the team has your email" })).toHaveText(
      "Thanks: the team has your email, dana@example.com, with this conversation.",
    );
    await expect(contact).toHaveCount(0);

    // The agent sees the address with the conversation, and the thread says so.
    await alice.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Inbox" }).click();
    await (await rowOfVisitor(alice, shop)).click();
    const view = alice.getByRole("region", { name: "Conversation view" });
    await expect(view.getByText(/^dana@example\.com ·/)).toBeVisible();
    await expect(view.getByText("The visitor left an email address for a reply: dana@example.com")).toBeVisible();
    for (const page of [shop, alice]) await page.context().close();
  });
});
