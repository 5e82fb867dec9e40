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
  // a clipboard write that has not answered in 2 s (the API waits on the browser, which may be busy) gives way to
  // the older command, still inside the click's user activation (about 5 s): the box never stays silent
  const late = new Promise((_, reject) => setTimeout(() => reject(new Error("clipboard slow")), 2000));
  return Promise.race([navigator.clipboard.writeText(text), late]).catch(legacy);
}

// what the last copy said, kept across a re-mount of the box while the link is the same: on the window, since a
// re-mount can load this module afresh
const memory = () => (window.__dgmCopyLink ??= { link: null, text: "", mounts: 0, clicks: 0 });

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
    memory().mounts += 1;
  }
  const [field, button, said] = [box.querySelector("input"), box.querySelector("button"), box.querySelector("span")];
  field.value = data.link;
  said.textContent = memory().link === data.link ? memory().text : "";
  memory().said = said; // the box on screen now: a copy that ends after a re-mount still reports there
  field.setAttribute("aria-label", data.label);
  field.onfocus = () => field.select();
  button.setAttribute("aria-label", "Copy the link");
  button.onclick = () => {
    const link = field.value;
    memory().clicks += 1;
    const show = (text) => {
      Object.assign(memory(), { link, text });
      (memory().said ?? said).textContent = text;
    };
    show("Copying...");
    copyText(field, link).then(
      () => show("Copied."),
      () => show("Select the link and copy it (Ctrl+C)."),
    );
  };
}
