// The Media page's own script (no library; the pages work without it):
// - files dropped on the upload form are put in its file picker and sent at once;
// - clicking the picture of an image sets its focal point's X and Y fields, and a marker shows
//   where the point is.
"use strict";

// Each element is set up once, however often htmx announces new content.
function once(element) {
  if (element.dataset.ready) return false;
  element.dataset.ready = "1";
  return true;
}

function dropZone(form) {
  if (!once(form)) return;
  const input = form.querySelector("input[type=file]");
  if (!input) return;
  const over = (event) => {
    event.preventDefault();
    form.classList.add("dragging");
  };
  form.addEventListener("dragenter", over);
  form.addEventListener("dragover", over);
  form.addEventListener("dragleave", () => form.classList.remove("dragging"));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("dragging");
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}

function focalPoint(figure) {
  if (!once(figure)) return;
  const image = figure.querySelector("[data-focal-image]");
  const marker = figure.querySelector("[data-focal-marker]");
  const x = document.querySelector("[data-focal-x]");
  const y = document.querySelector("[data-focal-y]");
  if (!image || !marker || !x || !y) return;
  const show = () => {
    const left = Number(x.value);
    const top = Number(y.value);
    if (!(left >= 0 && left <= 1 && top >= 0 && top <= 1)) {
      marker.hidden = true;
      return;
    }
    // Set through the DOM (the page's policy forbids style attributes in its markup).
    marker.style.left = `${left * 100}%`;
    marker.style.top = `${top * 100}%`;
    marker.hidden = false;
  };
  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    const round = (value) => String(Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000);
    x.value = round((event.clientX - box.left) / box.width);
    y.value = round((event.clientY - box.top) / box.height);
    show();
  });
  x.addEventListener("input", show);
  y.addEventListener("input", show);
  figure.classList.add("clickable");
  show();
}

function start() {
  document.querySelectorAll("form[data-drop-zone]").forEach(dropZone);
  document.querySelectorAll("[data-focal]").forEach(focalPoint);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
// htmx swaps pages in (hx-boost): set up what the new page holds.
document.addEventListener("htmx:load", start);
