// brine's command line: commander wiring only.
console.log('brine: under construction');
