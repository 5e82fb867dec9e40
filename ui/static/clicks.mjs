export default function(component) {
  const { data, setStateValue, parentElement } = component;
  const counts = (window.__dgmClickCounts = window.__dgmClickCounts || {});
  counts[data.id] = Math.max(counts[data.id] || 0, data.done || 0);
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    parentElement.appendChild(button);
  }
  button.className = data.primary ? "dgm-step primary" : "dgm-step";
  button.textContent = data.label;
  button.title = data.help || "";
  button.setAttribute("aria-label", data.label);
  button.onclick = () => {
    counts[data.id] += 1;
    setStateValue("clicks", counts[data.id]);
  };
}
