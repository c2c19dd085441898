// Shows a mark's article in a panel beside the chart; the page reads fully without it.
// It reads nothing but the page's own elements: no report text is ever put in here.
(function () {
  var panel = document.getElementById('panel');
  var body = document.getElementById('panel-body');
  document.documentElement.classList.add('js');
  function show(id) {
    var article = document.getElementById(id);
    if (!article) return;
    var copy = article.cloneNode(true);
    copy.removeAttribute('id');
    body.replaceChildren(copy);
    panel.hidden = false;
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest('#panel-close')) {
      panel.hidden = true;
      return;
    }
    var mark = target.closest('a.mark');
    if (mark) {
      event.preventDefault();
      show(mark.getAttribute('href').slice(1));
    }
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') panel.hidden = true;
  });
})();
