/* kpigov handbook: search over the prebuilt index, and filters on the overview. Plain JS, no
   requests: the index is loaded by a script tag, so the site also works from file://. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var index = window.KPIGOV_INDEX || [];

  function matches(entry, words) {
    var haystack = [entry.name, entry.id, entry.owner, entry.owner_id, entry.perspective,
      entry.status, entry.text].concat(entry.tags || []).join(" ").toLowerCase();
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

  /* Overview: filters and grouping of the KPI cards; their state is kept in the URL
     (?perspective=customer&group=goal), so a filtered view can be shared and survives a reload. */
  var filters = document.querySelector("div.filters:not(.severity-filter)");
  if (filters) {
    filters.hidden = false;
    var selects = Array.prototype.slice.call(filters.querySelectorAll("select[data-filter]"));
    var grouping = filters.querySelector("select[data-group]");
    var cardList = document.querySelector("ul.all-cards");
    var cards = Array.prototype.slice.call(cardList.querySelectorAll(".card"));
    var noMatch = filters.querySelector(".no-match");
    var params = new URL(window.location.href).searchParams;
    selects.forEach(function (select) {
      var value = params.get(select.getAttribute("data-filter"));
      if (value) { select.value = value; }
    });
    if (grouping && params.get("group")) { grouping.value = params.get("group"); }
    var regroup = function (key) {
      Array.prototype.slice.call(cardList.querySelectorAll("li.group-heading")).forEach(function (h) { h.remove(); });
      var ordered = cards.slice();
      if (key) {
        ordered.sort(function (a, b) {
          var ka = a.getAttribute("data-" + key) || "~", kb = b.getAttribute("data-" + key) || "~";
          return ka < kb ? -1 : ka > kb ? 1 : cards.indexOf(a) - cards.indexOf(b);
        });
      }
      var current = null;
      ordered.forEach(function (card) {
        var group = key ? (card.getAttribute("data-" + key) || "—") : null;
        if (key && group !== current && !card.hidden) {
          var heading = document.createElement("li");
          heading.className = "group-heading";
          heading.textContent = group;
          cardList.appendChild(heading);
          current = group;
        }
        cardList.appendChild(card);
      });
    };
    var apply = function () {
      var shown = 0;
      cards.forEach(function (card) {
        card.hidden = !selects.every(function (select) {
          return !select.value || card.getAttribute("data-" + select.getAttribute("data-filter")) === select.value;
        });
        if (!card.hidden) { shown += 1; }
      });
      noMatch.hidden = shown !== 0;
      regroup(grouping ? grouping.value : "");
      var url = new URL(window.location.href);
      selects.forEach(function (select) {
        var name = select.getAttribute("data-filter");
        if (select.value) { url.searchParams.set(name, select.value); } else { url.searchParams.delete(name); }
      });
      if (grouping && grouping.value) { url.searchParams.set("group", grouping.value); } else { url.searchParams.delete("group"); }
      window.history.replaceState(null, "", url.toString());
    };
    selects.forEach(function (select) { select.addEventListener("change", apply); });
    if (grouping) { grouping.addEventListener("change", apply); }
    apply();
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
