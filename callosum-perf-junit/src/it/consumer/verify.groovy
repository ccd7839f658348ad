// What a user's build must leave: JSON results, Allure results, and the report with the tab.
def target = new File(basedir, 'target')
def results = new File(target, 'benchmark-results').listFiles()?.findAll { it.name ==~ /benchmark-results-.*\.json/ }
assert results && results.size() == 1 : "no JSON results in target/benchmark-results"
def json = new groovy.json.JsonSlurper().parse(results[0])
assert json.benchmarks*.method == ['echo'] : "JSON results: ${json.benchmarks*.method}"
assert json.benchmarks[0].outcome == 'passed'
def allure = new File(target, 'allure-results').listFiles().findAll { it.name.endsWith('-result.json') }
assert allure.any { it.text.contains('"EchoBenchmarks') || it.text.contains('echo(Bench)') } : "no Allure result for the benchmark"
assert new File(target, 'allure-results/callosum-perf-summary.html').isFile()
assert new File(target, 'allure-report/index.html').isFile() : "no Allure report"
def tab = new File(target, 'allure-report/plugin/callosum-benchmarks/index.js')
assert tab.isFile() : "the report has no Benchmarks tab"
assert new File(target, 'allure-report/plugin/callosum-benchmarks/callosum-perf-summary.html').text.contains('EchoBenchmarks')
def log = new File(basedir, 'build.log').text
assert !log.contains('OutputDirectoryCreator not available') : "JUnit's engine and launcher are not aligned"
return true
