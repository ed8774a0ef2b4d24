// Files in the conversation, as a visitor and an agent use them: a screenshot pasted into the
// widget, a document dropped onto the dashboard's composer, both shown in both windows (images
// inline with their size known, other files as a download), refusals in words, and cancel.
import { expect, test, type FrameLocator, type Locator, type Page } from "@playwright/test";
import { AGENT1, agentMessages, openWidget, rowOfVisitor, signIn, visitorSays, widgetMessages } from "./helpers";

/** Pastes a real PNG (drawn on a canvas in the page) into the message box `box`. */
async function pasteScreenshot(box: Locator, name: string, width: number, height: number) {
  await box.evaluate(
    async (element, { name, width, height }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d")!;
      context.fillStyle = "#b3261e";
      context.fillRect(0, 0, width, height);
      context.fillStyle = "#ffffff";
      context.font = "28px sans-serif";
      context.fillText("Error 500 at checkout", 24, height / 2);
      const blob = await new Promise<Blob>((done) => canvas.toBlob((b) => done(b!), "image/png"));
      const clipboard = new DataTransfer();
      clipboard.items.add(new File([blob], name, { type: "image/png" }));
      element.dispatchEvent(new ClipboardEvent("paste", { clipboardData: clipboard, bubbles: true, cancelable: true }));
    },
    { name, width, height },
  );
}

/** Drops a file with `text` as its bytes onto `target`, as a file dragged from the desktop. */
async function dropFile(target: Locator, name: string, type: string, text: string) {
  await target.evaluate(
    (element, { name, type, text }) => {
      const dragged = new DataTransfer();
      dragged.items.add(new File([text], name, { type }));
      for (const kind of ["dragenter", "dragover", "drop"]) {
        element.dispatchEvent(new DragEvent(kind, { dataTransfer: dragged, bubbles: true, cancelable: true }));
      }
    },
    { name, type, text },
  );
}

/** Whether the image has loaded (from its signed address) at the size it was drawn. */
async function naturalSize(image: Locator) {
  return image.evaluate((img: HTMLImageElement) => `${img.naturalWidth}x${img.naturalHeight}`);
}

const PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

function composerOf(page: Page | FrameLocator) {
  return page.locator("form.composer");
}

test("a pasted screenshot and a dropped document reach the other side, shown as people expect", async ({ browser, baseURL }) => {
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  // The screenshot first: pasting it starts the conversation; then a line with it.
  const box = widget.getByRole("textbox", { name: "Message" });
  await pasteScreenshot(box, "checkout-error.png", 640, 360);
  await expect(widget.getByRole("button", { name: "Remove checkout-error.png" })).toBeVisible();
  await expect(widget.getByRole("list", { name: "Files to send" })).toContainText("Ready to send");
  await box.fill(`I get this at checkout (${Date.now()})`);
  await box.press("Enter");

  const sent = widgetMessages(widget).getByRole("img", { name: "checkout-error.png" });
  await expect(sent).toHaveAttribute("width", "640");
  await expect(sent).toHaveAttribute("height", "360");
  await expect.poll(() => naturalSize(sent)).toBe("640x360");
  await expect(widget.getByRole("list", { name: "Files to send" })).toHaveCount(0);
  await expect(widgetMessages(widget)).toContainText("I get this at checkout");

  const alice = await signIn(browser, baseURL!, AGENT1.email);
  const row = await rowOfVisitor(alice, shop);
  await row.click();
  const open = agentMessages(alice).getByRole("link", { name: "Open checkout-error.png full size" });
  await expect(open).toHaveAttribute("href", /^\/api\/v1\/attachments\/[^?]+\?exp=\d+&sig=[0-9a-f]+$/);
  await expect.poll(() => naturalSize(open.getByRole("img"))).toBe("640x360");

  // The agent drops an invoice onto the composer and writes a line with it.
  const reply = alice.getByRole("textbox", { name: "Message" });
  await dropFile(composerOf(alice), "invoice-1042.pdf", "application/pdf", PDF);
  await expect(alice.getByRole("button", { name: "Remove invoice-1042.pdf" })).toBeVisible();
  await reply.fill("Sorry about that! Here is your invoice; the order went through.");
  await reply.press("Enter");
  await expect(row).toContainText("📎 invoice-1042.pdf");
  const card = widgetMessages(widget).getByRole("link", { name: /invoice-1042\.pdf/ });
  await expect(card).toContainText("PDF document");
  await expect(card).toHaveAttribute("download", "invoice-1042.pdf");
  await expect(widgetMessages(widget)).toContainText("Here is your invoice");
  const download = await card.evaluate(async (a: HTMLAnchorElement) => {
    const response = await fetch(a.href);
    return `${response.status} ${response.headers.get("content-disposition")}`;
  });
  expect(download).toMatch(/^200 attachment; filename="invoice-1042.pdf"/);
  await alice.screenshot({ path: "screenshots/dashboard-attachments.png" });
  await shop.screenshot({ path: "screenshots/widget-attachments.png" });

  // At a phone's width the thumbnail fits the thread.
  await shop.setViewportSize({ width: 390, height: 800 });
  const fits = await sent.evaluate((img) => img.getBoundingClientRect().width <= 390);
  expect(fits).toBe(true);
  await shop.screenshot({ path: "screenshots/widget-attachments-390.png" });
  for (const page of [shop, alice]) await page.context().close();
});

test("a file the shop does not take is refused in words, and nothing is sent", async ({ browser, baseURL }) => {
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, `Can I send you a file? (${Date.now()})`);
  const chooser = shop.waitForEvent("filechooser");
  await widget.getByRole("button", { name: "Attach a file" }).click();
  await (await chooser).setFiles({
    name: "photo.png",
    mimeType: "image/png",
    buffer: Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
  });
  const alert = widget.getByRole("alert");
  await expect(alert).toContainText("photo.png was not sent: This kind of file cannot be sent here");
  await expect(alert).toContainText("images (PNG, JPEG, GIF, WebP)");
  await expect(widget.getByRole("list", { name: "Files to send" })).toHaveCount(0);

  // Too large is said before anything is uploaded.
  const again = shop.waitForEvent("filechooser");
  await widget.getByRole("button", { name: "Attach a file" }).click();
  await (await again).setFiles({ name: "video.png", mimeType: "image/png", buffer: Buffer.alloc(11 * 1024 * 1024) });
  await expect(alert).toContainText("video.png is larger than 10 MB");
  await shop.screenshot({ path: "screenshots/widget-file-refused.png" });
  await widget.getByRole("button", { name: "Dismiss" }).click();
  await expect(alert).toHaveCount(0);
  await expect(composerOf(widget).getByRole("button", { name: "Send" })).toBeDisabled();
  await shop.context().close();
});

test("an upload shows its progress and can be cancelled", async ({ browser, baseURL }) => {
  const { page: shop, widget } = await openWidget(browser, baseURL!);
  await visitorSays(widget, `A big photo is coming (${Date.now()})`);
  const alice = await signIn(browser, baseURL!, AGENT1.email);
  await (await rowOfVisitor(alice, shop)).click();
  // A slow line, so that the upload is seen on its way.
  const cdp = await alice.context().newCDPSession(alice);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: 10 * 1024 * 1024,
    uploadThroughput: 64 * 1024,
  });
  const chooser = alice.waitForEvent("filechooser");
  await alice.getByRole("button", { name: "Attach a file" }).click();
  await (await chooser).setFiles({ name: "photo.txt", mimeType: "text/plain", buffer: Buffer.alloc(3 * 1024 * 1024, "a") });
  const progress = alice.getByRole("progressbar", { name: "Uploading photo.txt" });
  await expect(progress).toBeVisible();
  await alice.screenshot({ path: "screenshots/dashboard-uploading.png" });
  await expect(alice.getByRole("button", { name: "Send" })).toBeDisabled();
  await alice.getByRole("button", { name: "Cancel upload of photo.txt" }).click();
  await expect(alice.getByRole("list", { name: "Files to send" })).toHaveCount(0);
  await expect(alice.getByRole("textbox", { name: "Message" })).toBeFocused();
  for (const page of [shop, alice]) await page.context().close();
});
