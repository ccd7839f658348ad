'use strict';

// The Benchmarks tab: the run's summary page (charts across benchmarks, tables, profiles),
// written by callosum-perf next to the Allure results and copied here before the report is made.
allure.api.addTranslation('en', {tab: {benchmarks: {name: 'Benchmarks'}}});

// Allure exposes no bare view class to plugins; a widget view, rendered our own way, is one.
class BenchmarksView extends allure.components.WidgetStatusView {
    initialize() {}

    render() {
        this.el.innerHTML = '<iframe src="plugin/callosum-benchmarks/callosum-perf-summary.html"'
            + ' title="Benchmark summary"'
            + ' style="display:block;border:0;width:100%;height:100vh;background:#fff"></iframe>';
        this._isRendered = true;
        return this;
    }
}

class BenchmarksLayout extends allure.components.AppLayout {
    getContentView() {
        return new BenchmarksView();
    }
}

allure.api.addTab('benchmarks', {
    title: 'tab.benchmarks.name', icon: 'fa fa-tachometer',
    route: 'benchmarks',
    onEnter: () => new BenchmarksLayout()
});
