// The share box's link (ui/layout.share_box): a read-only field with the link and a Copy button. A plain
// component instead of st.code, whose syntax highlighter (1.5 MB of JavaScript) every page view loaded for it.
function copyText(field, text) {
  // the older copy command on a selection: plain http (the clipboard API is off there), or when the API refuses
  const legacy = () => {
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  };
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).catch(legacy);
  return legacy();
}

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
  field.setAttribute("aria-label", data.label);
  field.onfocus = () => field.select();
  button.setAttribute("aria-label", "Copy the link");
  button.onclick = () => {
    copyText(field, field.value).then(
      () => (said.textContent = "Copied."),
      () => (said.textContent = "Select the link and copy it (Ctrl+C)."),
    );
  };
}
