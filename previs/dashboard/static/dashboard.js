// previs dashboard: page behaviour that ipywidgets and ipympl do not offer
// (anywidget module of previs.dashboard.page.PageHelper).
//  * reports the figure column's width (and the window's height) to the kernel,
//    which fits the figure to it;
//  * lets Tab leave the ipympl canvas (ipympl swallows every key);
//  * angle sliders: arrows move 1 degree, PageUp/PageDown 10, Shift+arrow 0.1,
//    wrapping at 0/360;
//  * accessible names: sliders named by their label, toggle buttons with
//    aria-pressed, checkboxes named by their text.
function findRoot(el) {
  return el.closest(".previs-dashboard");
}

function labelOf(widget) {
  const label = widget.querySelector(":scope > .widget-label, :scope > label");
  return label ? label.textContent.trim() : "";
}

function annotate(root) {
  for (const slider of root.querySelectorAll(".widget-slider, .jupyter-widget-slider")) {
    const name = labelOf(slider) || slider.getAttribute("title") || "";
    for (const handle of slider.querySelectorAll(".noUi-handle")) {
      if (name && handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
    }
  }
  for (const group of root.querySelectorAll(".widget-toggle-buttons")) {
    const name = labelOf(group);
    const box = group.querySelector(".widget-toggle-button")?.parentElement;
    if (box && name) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", name);
    }
    for (const button of group.querySelectorAll("button")) {
      const pressed = button.classList.contains("mod-active") ? "true" : "false";
      if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
    }
  }
  for (const box of root.querySelectorAll(".widget-checkbox")) {
    const input = box.querySelector("input[type=checkbox]");
    const text = box.textContent.trim();
    if (input && text && input.getAttribute("aria-label") !== text) input.setAttribute("aria-label", text);
  }
  for (const canvas of root.querySelectorAll(".previs-sky .jupyter-matplotlib-canvas-div")) {
    if (!canvas.getAttribute("aria-label")) {
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Sky figure: MSA and NIRCam footprints (Tab leaves it)");
    }
  }
}

const ANGLE_KEYS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

function onKeyDown(event) {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (event.key === "Tab" && target.closest(".jupyter-matplotlib-canvas-div")) {
    event.stopPropagation(); // before ipympl's handler, which would cancel the focus move
    return;
  }
  const step = ANGLE_KEYS[event.key];
  if (step === undefined || !target.classList.contains("noUi-handle")) return;
  const slider = target.closest(".previs-angle-slider");
  const api = target.closest(".noUi-target")?.noUiSlider;
  if (!slider || !api) return;
  event.preventDefault();
  event.stopPropagation();
  const fine = event.shiftKey && Math.abs(step) === 1 ? 0.1 : 1;
  const value = Number(api.get()) + step * fine;
  const wrapped = Math.round((((value % 360) + 360) % 360) * 10) / 10;
  api.set(wrapped >= 360 ? 0 : wrapped);
}

// A typed angle outside 0-360 wraps (400 -> 40, -10 -> 350) instead of being
// clamped by the slider; text that is not a number is reported. Runs before
// ipywidgets reads the readout (capture phase), and tells the kernel.
function onReadoutEdit(event, model) {
  const target = event.target;
  if (!(target instanceof Element) || !target.classList.contains("widget-readout")) return;
  const slider = target.closest(".previs-angle-slider");
  if (!slider || (event.type === "keydown" && event.key !== "Enter")) return;
  const text = target.textContent.trim();
  if (text === "" || text === target.dataset.previsLast) return;
  const control = labelOf(slider);
  const value = Number(text.replace(/[°\s]/g, "").replace(",", "."));
  if (!Number.isFinite(value)) {
    target.dataset.previsLast = text;
    model.send({ kind: "angle-refused", control, text });
    return;
  }
  if (value < 0 || value > 360) {
    const wrapped = Math.round((((value % 360) + 360) % 360) * 1e6) / 1e6;
    target.textContent = String(wrapped);
    target.dataset.previsLast = String(wrapped);
    model.send({ kind: "angle-wrapped", control, text, value: wrapped });
  }
}

// Uploads over the server's websocket message limit would be dropped with the
// connection and no word: stop them before ipywidgets reads the file. The
// FileUpload widget's <input type=file> is not in the page, so its click() is
// watched for the time a previs upload button is being clicked.
if (!HTMLInputElement.prototype.__previsWrapped) {
  const originalClick = HTMLInputElement.prototype.click;
  HTMLInputElement.prototype.__previsWrapped = true;
  HTMLInputElement.prototype.click = function (...args) {
    const pending = window.__previsPendingUpload;
    if (this.type === "file" && pending && !this.__previsChecked) {
      this.__previsChecked = true;
      const input = this;
      const watch = pending;
      input.addEventListener("change", (event) => {
        const files = Array.from(input.files || []);
        const size = files.reduce((total, f) => total + f.size, 0);
        const limit = watch.model.get("upload_limit");
        if (limit > 0 && size > limit - 65536) {
          event.stopImmediatePropagation();
          input.value = "";
          watch.model.send({
            kind: "upload-too-large", control: watch.control,
            name: files.map((f) => f.name).join(", "), size, limit,
          });
        }
      }, { capture: true });
    }
    return originalClick.apply(this, args);
  };
}

function render({ model, el }) {
  let root = null;
  let timer = null;
  let last = "";
  const report = () => {
    timer = null;
    const column = root && root.querySelector(".previs-figure-column");
    if (!column || column.offsetParent === null) return;
    const box = [Math.floor(column.clientWidth), Math.floor(window.innerHeight)];
    const key = box.join("x");
    if (key === last || box[0] <= 0) return;
    last = key;
    model.set("figure_box", box);
    model.save_changes();
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(report, 150);
  };
  const attach = () => {
    root = findRoot(el);
    if (!root) return false;
    if (!root.dataset.previsKeys) {
      root.dataset.previsKeys = "1";
      root.addEventListener("keydown", onKeyDown, true);
      root.addEventListener("keydown", (e) => onReadoutEdit(e, model), true);
      root.addEventListener("click", (e) => {
        const button = e.target instanceof Element && e.target.closest(".widget-upload");
        if (!button) return;
        window.__previsPendingUpload = { model, control: button.textContent.trim() };
        setTimeout(() => { window.__previsPendingUpload = null; }, 0);
      }, true);
      root.addEventListener("blur", (e) => onReadoutEdit(e, model), true);
      root.addEventListener("focusin", (e) => {
        if (e.target instanceof Element) delete e.target.dataset.previsLast;
      }, true);
    }
    const observer = new ResizeObserver(schedule);
    const column = root.querySelector(".previs-figure-column");
    if (column) observer.observe(column);
    window.addEventListener("resize", schedule);
    let pending = false;
    const mutations = new MutationObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        annotate(root);
      });
    });
    mutations.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    annotate(root);
    schedule();
    return () => {
      observer.disconnect();
      mutations.disconnect();
      window.removeEventListener("resize", schedule);
    };
  };
  let cleanup = null;
  const tryAttach = () => {
    cleanup = attach();
    if (!cleanup) requestAnimationFrame(tryAttach);
  };
  tryAttach();
  return () => {
    if (typeof cleanup === "function") cleanup();
  };
}

export default { render };
