/// The page's only script (inline; the CSP allows nothing else). Without it the page still works: markers
/// carry `<title>` tooltips and the list links to them by fragment. With it: clicking a list entry centres
/// and highlights its marker, clicking a marker shows its explanation and finds its entry, checkboxes hide
/// kinds. It also records what the browser rendered (`data-rendered-*` on `<body>`) for the headless check.
/// No `//` comments: the tests reject `//` anywhere in the output so no protocol-relative URL can hide.
enum TimelineScript {
    static let page = """
        (function () {
          'use strict';
          var markers = document.querySelectorAll('[data-violation-kind]');
          var lanes = document.querySelectorAll('[data-lane="partition"]');
          document.body.setAttribute('data-rendered-markers', String(markers.length));
          document.body.setAttribute('data-rendered-partition-lanes', String(lanes.length));
          var panel = document.getElementById('timeline-selected');
          function clearFocus() {
            document.querySelectorAll('.focused').forEach(function (element) { element.classList.remove('focused'); });
          }
          function focus(id, scrollTo) {
            var marker = document.getElementById(id);
            var item = document.querySelector('li[data-marker="' + id + '"]');
            clearFocus();
            if (marker) { marker.classList.add('focused'); }
            if (item) { item.classList.add('focused'); }
            if (panel && marker) {
              var title = marker.querySelector('title');
              panel.textContent = title ? title.textContent : id;
              panel.hidden = false;
            }
            if (scrollTo === 'marker' && marker) { marker.scrollIntoView({block: 'center', inline: 'center'}); }
            if (scrollTo === 'item' && item) { item.scrollIntoView({block: 'nearest'}); }
          }
          document.addEventListener('click', function (event) {
            var target = event.target;
            if (!(target instanceof Element)) { return; }
            var link = target.closest('a[data-marker]');
            if (link) { event.preventDefault(); focus(link.getAttribute('data-marker'), 'marker'); return; }
            var marker = target.closest('[data-violation-kind]');
            if (marker) { focus(marker.id, 'item'); return; }
            if (target === panel) { panel.hidden = true; clearFocus(); }
          });
          document.querySelectorAll('input[data-filter-kind]').forEach(function (box) {
            box.addEventListener('change', function () {
              var section = box.closest('section');
              var kind = box.getAttribute('data-filter-kind');
              section.querySelectorAll('[data-violation-kind], li[data-kind]').forEach(function (element) {
                var own = element.getAttribute('data-violation-kind') || element.getAttribute('data-kind');
                if (own === kind) { element.style.display = box.checked ? '' : 'none'; }
              });
            });
          });
        })();
        """

    static let pageStyle = """
        body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px 20px 80px;color:#222;background:#fff}
        h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 4px}h3{font-size:14px;margin:12px 0 4px}
        .stats,.filters{font-size:13px;margin:4px 0}
        .filters label{margin-right:12px;white-space:nowrap}
        .chart-scroll{overflow-x:auto;border:1px solid #ccc;background:#fff}
        .violation{cursor:pointer}
        .violation-list{font-size:12px;max-height:32em;overflow-y:auto;border:1px solid #ddd;padding:4px 8px 4px 48px}
        .violation-list li{margin:2px 0}.violation-list li p{margin:2px 0 8px;color:#444}
        .violation-list li.focused{background:#fff3b0}
        .swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border:1px solid #222;transform:rotate(45deg)}
        #timeline-selected{position:fixed;left:0;right:0;bottom:0;max-height:30vh;overflow:auto;margin:0;padding:8px 20px;
          background:#fffbe6;border-top:2px solid #e0c000;font-size:12px;white-space:pre-wrap;cursor:pointer}
        details{font-size:13px;margin:6px 0}
        """
}
