// hypium reports through console.info/debug at length; the host runner reads its results from the
// delegator instead, so those two are silenced unless VERBOSE=1. console.log/warn/error stay.
if (process.env.VERBOSE !== '1') {
  console.info = () => undefined;
  console.debug = () => undefined;
}
