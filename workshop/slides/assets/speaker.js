// The speaker view (deck.html?speaker): the current slide, the next one, the notes and a
// timer. It moves with the deck and the deck moves with it (deck.js syncs the windows).
/* global document, window, location, setInterval, URLSearchParams */
(function () {
  'use strict';
  if (!new URLSearchParams(location.search).has('speaker')) return;
  const slides = Array.from(document.querySelectorAll('.deck > .slide'));
  document.body.classList.add('speaker');

  const view = document.createElement('div');
  view.className = 'speaker-view';
  view.innerHTML =
    '<header><span class="position"></span><span class="timer" title="Click to restart">00:00</span></header>' +
    '<div class="now"><div class="frame"></div></div>' +
    '<aside><h2>Next</h2><div class="next"><div class="frame"></div></div><h2>Notes</h2><div class="speaker-notes"></div></aside>';
  document.body.appendChild(view);
  const now = view.querySelector('.now .frame');
  const next = view.querySelector('.next .frame');
  const notes = view.querySelector('.speaker-notes');
  const position = view.querySelector('.position');
  const timer = view.querySelector('.timer');

  function copy(frame, slide) {
    frame.replaceChildren();
    if (!slide) return;
    const clone = slide.cloneNode(true);
    clone.classList.add('current');
    clone.removeAttribute('data-slide');
    frame.appendChild(clone);
    frame.style.setProperty('--scale', String(frame.parentElement.clientWidth / 1280));
  }

  function show(n) {
    copy(now, slides[n - 1]);
    copy(next, slides[n]);
    const aside = slides[n - 1] && slides[n - 1].querySelector('.notes');
    notes.innerHTML = aside ? aside.innerHTML : '<p class="none">No notes for this slide.</p>';
    position.textContent = 'Slide ' + n + ' of ' + slides.length;
  }

  let started = Date.now();
  function tick() {
    const seconds = Math.floor((Date.now() - started) / 1000);
    timer.textContent = String(Math.floor(seconds / 60)).padStart(2, '0') + ':' + String(seconds % 60).padStart(2, '0');
  }
  timer.addEventListener('click', function () {
    started = Date.now();
    tick();
  });
  setInterval(tick, 1000);

  document.addEventListener('slidechange', function (event) {
    show(event.detail.slide);
  });
  window.addEventListener('resize', function () {
    show(Number(document.body.dataset.slide) || 1);
  });
  show(Number(document.body.dataset.slide) || 1);
})();
