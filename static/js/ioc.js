/* The leaders' dashboard (insights): charts (Chart.js) and the map (Leaflet, no tile server needed: a plain
   background and circle markers). Data come from the page's JSON script elements. */
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var charts = data("ioc-chart-data");
  if (charts && typeof Chart !== "undefined") {
    Chart.defaults.animation = false;
    var trend = document.getElementById("ioc-trend");
    if (trend) {
      new Chart(trend, {
        data: {
          labels: charts.trend.map(function (t) { return t.month; }),
          datasets: [
            { type: "bar", label: "Tiếp nhận", data: charts.trend.map(function (t) { return t.received; }), backgroundColor: "#8fb3d9", yAxisID: "y" },
            { type: "bar", label: "Đã giải quyết", data: charts.trend.map(function (t) { return t.finished; }), backgroundColor: "#2f6fae", yAxisID: "y" },
            { type: "line", label: "Đúng hạn (%)", data: charts.trend.map(function (t) { return t.on_time_pct === null ? null : Number(t.on_time_pct); }), borderColor: "#1b7f3b", yAxisID: "pct" }
          ]
        },
        options: { scales: { y: { beginAtZero: true }, pct: { position: "right", min: 0, max: 100 } } }
      });
    }
    var groups = document.getElementById("ioc-groups");
    if (groups) {
      new Chart(groups, {
        type: "bar",
        data: {
          labels: charts.groups.map(function (g) { return g.code; }),
          datasets: [
            { label: "Điểm đạt", data: charts.groups.map(function (g) { return g.points; }), backgroundColor: "#2f6fae" },
            { label: "Điểm tối đa", data: charts.groups.map(function (g) { return g.max; }), backgroundColor: "#d6dde5" }
          ]
        },
        options: { scales: { y: { beginAtZero: true } } }
      });
    }
    var agencies = document.getElementById("ioc-agencies");
    if (agencies) {
      new Chart(agencies, {
        type: "bar",
        data: {
          labels: charts.agencies.map(function (a) { return a.name; }),
          datasets: [{ label: "Tỷ lệ điểm (%)", data: charts.agencies.map(function (a) { return a.percent; }), backgroundColor: "#2f6fae" }]
        },
        options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } } }
      });
    }
  }
  var mapData = data("ioc-map-data");
  var el = document.getElementById("ioc-map");
  if (!mapData || !el || typeof L === "undefined") { return; }
  var map = L.map(el, { zoomControl: true }).setView([17.0, 106.9], 9);
  var colours = { green: "#1b7f3b", amber: "#c77700", red: "#b3261e", grey: "#777" };
  var bounds = [];
  mapData.feedback.forEach(function (p) {
    L.circleMarker([p.lat, p.lng], { radius: 3, weight: 0, fillOpacity: 0.6, fillColor: p.open ? "#b3261e" : "#2f6fae" }).addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  mapData.communes.forEach(function (c) {
    var colour = colours[c.colour] || colours.grey;
    L.circleMarker([c.lat, c.lng], { radius: 14, color: colour, fillColor: colour, fillOpacity: 0.45, className: "ioc-commune" })
      .bindTooltip(c.name + ": " + c.percent + "%").addTo(map);
    bounds.push([c.lat, c.lng]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
  el.setAttribute("data-ready", "1");
})();
