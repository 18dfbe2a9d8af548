// "Copy the link" buttons: shown only when the browser can copy, and they say when it worked.
// A button names its field with data-copy-target; the field itself stays selectable without this.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const field = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Link copied.";
    } catch {
      field.select();
      status.textContent = "Could not copy: the link is selected, so copy it yourself.";
    }
  });
});
