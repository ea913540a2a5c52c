/** Live reload of the router's config: validate the new file, refuse what needs a restart, swap what does not. */
package io.roundhouse.router.reload;
