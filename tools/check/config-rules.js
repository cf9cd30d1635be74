'use strict';
module.exports = { checkConfig: () => [] };
