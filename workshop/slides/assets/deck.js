// The deck in the browser: one slide at a time, keys to move, the slide number in the URL
// (#3), and every window of the same deck kept on the same slide (the speaker view too).
/* global document, window, location, history, BroadcastChannel, CustomEvent */
(function () {
  'use strict';
  const slides = Array.from(document.querySelectorAll('.deck > .slide'));
  const deck = document.body.dataset.deck || 'deck';
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('slides:' + deck) : undefined;
  let current = 0;

  function fromHash() {
    const n = Number.parseInt(location.hash.slice(1), 10);
    return Number.isInteger(n) && n >= 1 && n <= slides.length ? n : 1;
  }

  /** Shows slide n (1-based); `from` is 'local' when this window moved, so it tells the others. */
  function go(n, from) {
    const next = Math.min(Math.max(n, 1), slides.length);
    if (next !== current) {
      slides.forEach(function (slide, i) {
        slide.classList.toggle('current', i === next - 1);
        slide.setAttribute('aria-hidden', String(i !== next - 1));
      });
      current = next;
    }
    if (location.hash !== '#' + current) history.replaceState(null, '', '#' + current);
    document.body.dataset.slide = String(current);
    document.dispatchEvent(new CustomEvent('slidechange', { detail: { slide: current, count: slides.length } }));
    if (from === 'local' && channel) channel.postMessage({ slide: current });
  }

  function fit() {
    const scale = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    document.documentElement.style.setProperty('--scale', String(scale));
  }

  const NEXT = ['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'n'];
  const PREVIOUS = ['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace', 'p'];
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    let target;
    if (event.key === ' ' && event.shiftKey) target = current - 1;
    else if (NEXT.includes(event.key)) target = current + 1;
    else if (PREVIOUS.includes(event.key)) target = current - 1;
    else if (event.key === 'Home') target = 1;
    else if (event.key === 'End') target = slides.length;
    else if (event.key === 's' || event.key === 'S') {
      window.open(location.pathname + '?speaker#' + current, 'speaker:' + deck);
      return;
    } else return;
    event.preventDefault();
    go(target, 'local');
  });
  window.addEventListener('hashchange', function () {
    go(fromHash(), 'local');
  });
  window.addEventListener('resize', fit);
  if (channel) {
    channel.onmessage = function (event) {
      if (event.data && typeof event.data.slide === 'number') go(event.data.slide, 'remote');
    };
  }

  window.slides = { go: function (n) { go(n, 'local'); }, count: slides.length, get current() { return current; } };
  fit();
  go(fromHash(), 'load');
})();
