// What both pages use: elements made with their text set as text (never
// markup: report text is untrusted), and the JSON API's answers.
'use strict';

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

// The API's JSON, or an Error with the API's Chinese message.
async function getJson(url) {
  const r = await fetch(url, {credentials: 'same-origin'});
  const body = await r.json().catch(() => ({message: r.statusText}));
  if (!r.ok) throw new Error(body.message || r.statusText);
  return body;
}
