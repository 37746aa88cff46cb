/* kpigov handbook: search over the prebuilt index, and filters on the overview. Plain JS, no
   requests: the index is loaded by a script tag, so the site also works from file://. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var index = window.KPIGOV_INDEX || [];

  function matches(entry, words) {
    var haystack = [entry.name, entry.id, entry.owner, entry.perspective, entry.status]
      .concat(entry.tags || []).join(" ").toLowerCase();
    return words.every(function (word) { return haystack.indexOf(word) !== -1; });
  }

  var form = document.querySelector("form.search");
  if (form) {
    form.hidden = false;
    var input = form.querySelector("input");
    var list = form.querySelector("ul");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) { window.location.href = first.getAttribute("href"); }
    });
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      if (!words.length) { return; }
      var found = index.filter(function (entry) { return matches(entry, words); }).slice(0, 20);
      if (!found.length) {
        var empty = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = list.getAttribute("data-empty");
        empty.appendChild(text);
        list.appendChild(empty);
        return;
      }
      found.forEach(function (entry) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root + entry.href;
        link.textContent = entry.name + " (" + entry.id + ")";
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  }

  var filters = document.querySelector("div.filters");
  if (filters) {
    filters.hidden = false;
    var selects = Array.prototype.slice.call(filters.querySelectorAll("select[data-filter]"));
    var cards = Array.prototype.slice.call(document.querySelectorAll(".cards .card"));
    var apply = function () {
      cards.forEach(function (card) {
        card.hidden = !selects.every(function (select) {
          return !select.value || card.getAttribute("data-" + select.getAttribute("data-filter")) === select.value;
        });
      });
    };
    selects.forEach(function (select) { select.addEventListener("change", apply); });
  }

  /* Findings page: show one severity; the choice is kept in the URL (?severity=warning). */
  var severityBox = document.querySelector("div.severity-filter");
  if (severityBox) {
    severityBox.hidden = false;
    var choice = severityBox.querySelector("select");
    var none = severityBox.querySelector("[data-none]");
    var grouped = Array.prototype.slice.call(document.querySelectorAll("[data-severity]"));
    var show = function () {
      var wanted = choice.value;
      var shown = 0;
      grouped.forEach(function (element) {
        var visible = !wanted || element.getAttribute("data-severity") === wanted;
        element.hidden = !visible;
        if (visible && element.tagName === "DETAILS") { shown += 1; }
      });
      none.hidden = shown !== 0;
      var url = new URL(window.location.href);
      if (wanted) { url.searchParams.set("severity", wanted); } else { url.searchParams.delete("severity"); }
      window.history.replaceState(null, "", url.toString());
    };
    var initial = new URL(window.location.href).searchParams.get("severity");
    if (initial) { choice.value = initial; }
    choice.addEventListener("change", show);
    show();
  }
}());
