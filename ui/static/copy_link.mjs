// The share box's link (ui/layout.share_box): a read-only field with the link and a Copy button. A plain
// component instead of st.code, whose syntax highlighter (1.5 MB of JavaScript) every page view loaded for it.
function copyText(field, text) {
  // the older copy command on a selection: plain http (the clipboard API is off there), or when the API refuses
  const legacy = () => {
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  };
  if (!(navigator.clipboard && window.isSecureContext)) return legacy();
  // a clipboard write that has not answered in 2 s (seen once in headless chromium on a busy machine: the status
  // stayed empty for 20 s) gives way to the older command, still inside the click's user activation (about 5 s)
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error("clipboard slow")), 2000));
  return Promise.race([navigator.clipboard.writeText(text), late]).catch(legacy);
}

// what the last copy said, kept across a re-mount of the box (a rerun can rebuild it) while the link is the same
let lastSaid = { link: null, text: "" };

export default function (component) {
  const { data, parentElement } = component;
  let box = parentElement.querySelector(".dgm-link");
  if (!box) {
    box = document.createElement("div");
    box.className = "dgm-link";
    box.innerHTML =
      '<input type="text" readonly spellcheck="false"><button type="button">Copy</button>' +
      '<span class="dgm-link-said" role="status" aria-live="polite"></span>';
    parentElement.appendChild(box);
  }
  const [field, button, said] = [box.querySelector("input"), box.querySelector("button"), box.querySelector("span")];
  field.value = data.link;
  said.textContent = lastSaid.link === data.link ? lastSaid.text : "";
  field.setAttribute("aria-label", data.label);
  field.onfocus = () => field.select();
  button.setAttribute("aria-label", "Copy the link");
  button.onclick = () => {
    const link = field.value;
    const show = (text) => {
      lastSaid = { link, text };
      said.textContent = text;
    };
    show("Copying...");
    copyText(field, link).then(
      () => show("Copied."),
      () => show("Select the link and copy it (Ctrl+C)."),
    );
  };
}
