// A tenant's own look: an admin sets the widget's title, colour, corner and avatar on the
// settings page, watching a live preview; the shop's widget wears it, with readable text.
import { expect, test } from "@playwright/test";
import { resolve } from "node:path";
import { AGENT1, OwnServer, signIn } from "./helpers";

const AVATAR = resolve(__dirname, "../../tests/api/fixtures/avatar.png");

test.describe("on a server of its own", () => {
  // The look is the demo tenant's: other tests expect Switchboard's own.
  const server = new OwnServer();
  test.beforeAll(async () => server.start());
  test.afterAll(async () => server.dispose());

  test("an admin gives the widget the shop's colour, title, avatar and corner, and the widget wears them", async ({
    browser,
  }) => {
    const admin = await signIn(browser, server.baseURL, AGENT1.email);
    await admin.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Settings" }).click();
    const form = admin.getByRole("form", { name: "Widget appearance" });
    const preview = admin.getByRole("figure", { name: "Preview of the widget" });
    await expect(preview).toContainText("Demo");

    await form.getByRole("textbox", { name: "Title" }).fill("Koffie Kade");
    await form.getByRole("textbox", { name: "Colour code" }).fill("#7a4a21");
    await form.getByRole("radio", { name: "Bottom left of the page" }).check();
    // The preview follows as the admin types, initials and all, and says the text stays readable.
    await expect(preview).toContainText("Koffie Kade");
    await expect(preview.getByText("KK", { exact: true })).toBeVisible();
    await expect(form).toContainText("Text on it is white, at 7.4:1 contrast: readable for everyone (WCAG AA).");
    await expect(preview.locator(".preview__header")).toHaveCSS("background-color", "rgb(122, 74, 33)");
    // The greeting is the assistant form's, live.
    await admin.getByRole("form", { name: "Assistant" }).getByRole("textbox", { name: "Greeting" }).fill("Welkom bij Koffie Kade!");
    await expect(preview).toContainText("Welkom bij Koffie Kade!");

    // A file that is no image is refused in words; a PNG is taken at once.
    await form.getByLabel("Upload an image").setInputFiles({ name: "evil.png", mimeType: "image/png", buffer: Buffer.from("<svg onload=alert(1)>") });
    await expect(form.getByRole("alert")).toHaveText("the avatar must be a PNG, JPEG, GIF or WebP image");
    await form.getByLabel("Upload an image").setInputFiles(AVATAR);
    await expect(form.getByRole("status").filter({ hasText: "Avatar saved." })).toBeVisible();
    await expect(preview.locator("img.messenger__avatar")).toHaveAttribute("src", /\/api\/v1\/chat\/public\/widget\/demo\/avatar\?v=/);

    await form.getByRole("button", { name: "Save appearance" }).click();
    await expect(form.getByRole("status").filter({ hasText: "Visitors see" })).toHaveText("Saved. Visitors see the new look on their next page.");
    await admin.getByRole("form", { name: "Assistant" }).getByRole("button", { name: "Save settings" }).click();
    await admin.locator(".appearance").screenshot({ path: "screenshots/dashboard-appearance.png" });

    // The shop: the bubble in the bottom-left corner in the shop's colour, the widget in it.
    const context = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 1280, height: 800 } });
    const shop = await context.newPage();
    await shop.goto("/widget-demo");
    const bubble = shop.getByRole("button", { name: "Open chat" });
    await expect(bubble).toHaveCSS("background-color", "rgb(122, 74, 33)");
    const box = (await bubble.boundingBox())!;
    expect(box.x).toBeLessThan(100);
    await bubble.click();
    const widget = shop.frameLocator('iframe[title="Chat"]');
    await expect(widget.getByRole("heading", { name: "Koffie Kade" })).toBeVisible();
    await expect(widget.locator("header img.messenger__avatar")).toBeVisible();
    await expect(widget.locator(".messenger__header")).toHaveCSS("color", "rgb(255, 255, 255)");
    await expect(widget.getByText("Welkom bij Koffie Kade!")).toBeVisible();
    const frame = (await shop.locator('iframe[title="Chat"]').boundingBox())!;
    expect(frame.x).toBeLessThan(100);
    await shop.screenshot({ path: "screenshots/widget-appearance.png" });

    // A light colour: the text on it turns black, still AA.
    await form.getByRole("textbox", { name: "Colour code" }).fill("#ffd500");
    await expect(form).toContainText("Text on it is black");
    await expect(preview.locator(".preview__header")).toHaveCSS("color", "rgb(0, 0, 0)");

    // At 390 px the settings page still fits.
    await admin.setViewportSize({ width: 390, height: 800 });
    // Neither the page nor its scrolling main area is wider than the phone.
    const overflow = await admin.evaluate(() =>
      Math.max(
        document.documentElement.scrollWidth - window.innerWidth,
        ...[...document.querySelectorAll("main")].map((main) => main.scrollWidth - main.clientWidth),
      ),
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await admin.screenshot({ path: "screenshots/dashboard-appearance-390.png", fullPage: true });
    for (const page of [shop, admin]) await page.context().close();
  });
});
