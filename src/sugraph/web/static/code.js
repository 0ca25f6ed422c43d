// A "copy" button beside each piece of code of templates/_code.html (the code reads and selects without it).
for (const box of document.querySelectorAll(".code-snippets")) {
  for (const pre of box.querySelectorAll("pre")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = box.dataset.copy;
    button.addEventListener("click", async () => {
      if (navigator.clipboard) {
        await navigator.clipboard.writeText(pre.textContent);
      } else { // not a secure context (plain http beyond localhost): copy the selection
        getSelection().selectAllChildren(pre);
        document.execCommand("copy");
      }
      button.textContent = box.dataset.copied;
      setTimeout(() => (button.textContent = box.dataset.copy), 2000);
    });
    pre.before(button);
  }
}
