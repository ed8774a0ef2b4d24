import { expect, test } from "@playwright/test";
import { AGENT1, AGENT2, openWidget, signIn, visitorSays, widgetMessages } from "./helpers";

const PARKING_BODY = [
  "## Parking near the roastery",
  "Park for free in the **Katendrecht** garage, two minutes from the shop. <script>alert(1)</script>",
].join("\n");

test("an admin writes an article with a preview, the widget answers from it with a link, then it is deleted", async ({
  browser,
  baseURL,
}) => {
  const admin = await signIn(browser, baseURL!, AGENT1.email);
  const nav = admin.getByRole("navigation", { name: "Dashboard" });
  await nav.getByRole("link", { name: "Knowledge base" }).click();
  await expect(admin).toHaveURL(/\/knowledge$/);
  await expect(nav.getByRole("link", { name: "Knowledge base" })).toHaveAttribute("aria-current", "page");
  // The socket stays open between the dashboard's pages.
  await expect(admin.getByRole("status", { name: "Connection" })).toHaveText("Live");
  const list = admin.getByRole("complementary", { name: "Articles" });
  await expect(list.getByRole("button")).toHaveCount(13); // 12 articles and "New article"

  await list.getByRole("button", { name: "New article" }).click();
  const editor = admin.getByRole("form", { name: "New article" });
  await expect(editor.getByRole("textbox", { name: "Title" })).toBeFocused();
  await editor.getByRole("textbox", { name: "Title" }).fill("Parking");
  await editor.getByRole("textbox", { name: "Article" }).fill(PARKING_BODY);
  await expect(editor.getByRole("status")).toHaveText("Unsaved changes");

  // The preview is the help center's rendering: markdown applied, raw HTML shown as text.
  await editor.getByRole("button", { name: "Preview" }).click();
  const preview = editor.getByLabel("Preview");
  await expect(preview.getByRole("heading", { name: "Parking near the roastery" })).toBeVisible();
  await expect(preview.locator("strong")).toHaveText("Katendrecht");
  await expect(preview).toContainText("<script>alert(1)</script>");
  await admin.screenshot({ path: "screenshots/dashboard-knowledge.png" });
  await editor.getByRole("button", { name: "Write" }).click();
  await expect(editor.getByRole("textbox", { name: "Article" })).toHaveValue(PARKING_BODY);

  await editor.getByRole("button", { name: "Save article" }).click();
  await expect(admin.getByRole("form", { name: "Edit article" }).getByRole("status")).toHaveText(
    "Saved. The assistant answers from it from the next question on.",
  );
  await expect(list.getByRole("button", { name: /^Parking/ })).toHaveAttribute("aria-current", "true");

  // The next question is answered from it, with a link to the article in the help center.
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, "Is there parking near the roastery?");
  const answer = widgetMessages(widget).locator(".msg--ai").last();
  await expect(answer).toContainText("two minutes from the shop");
  const link = answer.getByRole("link", { name: "Read more: Parking (opens in a new tab)" });
  await expect(link).toHaveAttribute("href", "/help/demo/parking");
  await expect(link).toHaveAttribute("target", "_blank");
  await shop.screenshot({ path: "screenshots/widget-article-link.png" });

  // At 390 px the page still fits.
  await admin.setViewportSize({ width: 390, height: 800 });
  const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await admin.screenshot({ path: "screenshots/dashboard-knowledge-390.png" });
  await admin.setViewportSize({ width: 1280, height: 800 });

  const saved = admin.getByRole("form", { name: "Edit article" });
  await saved.getByRole("button", { name: "Delete article" }).click();
  await expect(saved.getByRole("group", { name: "Confirm deletion" })).toContainText("Delete “Parking” for good?");
  await saved.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(list.getByRole("button")).toHaveCount(13);
  await expect(admin.getByRole("heading", { name: "No article open" })).toBeVisible();
  await shop.context().close();
  await admin.context().close();
});

test("an admin sets the hand-over sentence; an agent who is not an admin is told the pages are an admin's", async ({
  browser,
  baseURL,
}) => {
  const admin = await signIn(browser, baseURL!, AGENT1.email);
  await admin.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Settings" }).click();
  const form = admin.getByRole("form", { name: "Assistant" });
  await expect(form.getByRole("checkbox", { name: /The assistant answers first/ })).toBeChecked();
  const sentence = form.getByRole("textbox", { name: "Hand-over sentence" });
  await sentence.fill("Anna from the roastery will be right with you.");
  await expect(form).toContainText("A visitor who asks for a person reads: Thanks, we've let the team know. Anna from the roastery will be right with you.");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(form.getByRole("status")).toHaveText("Saved. New conversations use these settings.");
  await admin.screenshot({ path: "screenshots/dashboard-settings.png" });

  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, "I want to talk to a person");
  // Said once, as the assistant's message (it stays after a reload), not again as a notice.
  await expect(widgetMessages(widget).locator(".msg--ai").last()).toContainText(
    "Thanks, we've let the team know. Anna from the roastery will be right with you.",
  );
  await expect(widget.getByRole("status").filter({ hasText: "Thanks" })).toHaveCount(0);

  // Back to the built-in sentence, as the other tests expect.
  await sentence.fill("");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(form.getByRole("status")).toHaveText("Saved. New conversations use these settings.");

  const agent = await signIn(browser, baseURL!, AGENT2.email);
  const nav = agent.getByRole("navigation", { name: "Dashboard" });
  await expect(nav.getByRole("link")).toHaveText(["Inbox"]);
  await agent.goto("/settings");
  await expect(agent.getByRole("heading", { name: "Only admins can change this" })).toBeVisible();
  await agent.getByRole("link", { name: "Back to the inbox" }).click();
  await expect(agent.getByRole("complementary", { name: "Inbox" })).toBeVisible();
  for (const page of [shop, admin, agent]) await page.context().close();
});
